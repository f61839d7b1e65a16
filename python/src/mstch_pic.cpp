// Lets the module link Debian's libmstch.a (needed by the channels' templates), which is
// built without -fPIC. Its objects reach glibc's `__libc_single_threaded` (read by
// libstdc++'s shared_ptr to skip atomics in a process with one thread) by a PC-relative
// reference, which a shared object cannot resolve against libc. This hidden definition
// resolves those references, and the module's own, inside the module. It stays 0 ("there may
// be other threads"), the value that is always safe: reference counts then always use atomic
// operations, as they must in a Python process that may start threads at any time.
extern "C" {
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name is glibc's, on purpose.
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
