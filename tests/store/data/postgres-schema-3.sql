-- A PostgreSQL database at schema version 3, as the released store left it: ten booked
-- interviews, their people rows (written by the migration-1 trigger) and twenty pending
-- outbox rows. pg_dump output; read by tests/store/postgres_migration_test.cpp.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;


--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';


--
-- Name: interviewkit_index_people(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.interviewkit_index_people() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM interview_people WHERE interview_id = NEW.id;
  IF NEW.status IN ('scheduled', 'confirmed') AND NEW.slot IS NOT NULL THEN
    INSERT INTO interview_people (interview_id, person, slot)
    SELECT NEW.id, 'candidate:' || (NEW.body->'candidate'->>'id'), NEW.slot
    UNION ALL
    SELECT NEW.id, 'interviewer:' || (i->>'id'), NEW.slot
    FROM jsonb_array_elements(NEW.body->'interviewers') AS i;
  END IF;
  RETURN NEW;
END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: action_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.action_log (
    id bigint NOT NULL,
    time_ms bigint NOT NULL,
    action text NOT NULL,
    interview_id bigint,
    entry jsonb NOT NULL
);


--
-- Name: action_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.action_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: action_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.action_log_id_seq OWNED BY public.action_log.id;


--
-- Name: idempotency; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency (
    key text NOT NULL,
    request text NOT NULL,
    result jsonb NOT NULL
);


--
-- Name: interview_people; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.interview_people (
    interview_id bigint NOT NULL,
    person text NOT NULL,
    slot tstzrange NOT NULL
);


--
-- Name: interviewkit_schema; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.interviewkit_schema (
    version integer NOT NULL
);


--
-- Name: interviews; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.interviews (
    id bigint NOT NULL,
    status text NOT NULL,
    version bigint NOT NULL,
    slot tstzrange,
    body jsonb NOT NULL,
    updated_ms bigint DEFAULT 0 NOT NULL,
    recipients text DEFAULT ''::text NOT NULL,
    last_event text,
    last_from text,
    CONSTRAINT interviews_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'scheduled'::text, 'confirmed'::text, 'completed'::text, 'cancelled'::text, 'no_show'::text]))),
    CONSTRAINT interviews_version_check CHECK ((version >= 1))
);


--
-- Name: interviews_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.interviews_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: interviews_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.interviews_id_seq OWNED BY public.interviews.id;


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id bigint NOT NULL,
    idempotency_key text NOT NULL,
    interview_id bigint NOT NULL,
    kind text NOT NULL,
    channel text NOT NULL,
    payload jsonb NOT NULL,
    message_token text NOT NULL,
    due_ms bigint NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text DEFAULT ''::text NOT NULL,
    state text NOT NULL,
    claimed_until_ms bigint,
    created_ms bigint NOT NULL,
    updated_ms bigint NOT NULL,
    claim bigint DEFAULT 0 NOT NULL,
    unfinished_claims integer DEFAULT 0 NOT NULL,
    first_attempt_ms bigint,
    recipient text DEFAULT ''::text NOT NULL,
    revision bigint DEFAULT 0 NOT NULL,
    CONSTRAINT outbox_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'delivered'::text, 'dead'::text, 'expired'::text])))
);


--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_id_seq OWNED BY public.outbox.id;


--
-- Name: retention; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.retention (
    purged_before_ms bigint NOT NULL
);


--
-- Name: action_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_log ALTER COLUMN id SET DEFAULT nextval('public.action_log_id_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Data for Name: action_log; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.action_log (id, time_ms, action, interview_id, entry) FROM stdin;
\.


--
-- Data for Name: idempotency; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.idempotency (key, request, result) FROM stdin;
\.


--
-- Data for Name: interview_people; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.interview_people (interview_id, person, slot) FROM stdin;
1	candidate:cand-0	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
1	interviewer:int-0	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
2	candidate:cand-1	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
2	interviewer:int-1	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
3	candidate:cand-2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
3	interviewer:int-2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
4	candidate:cand-3	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
4	interviewer:int-3	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
5	candidate:cand-4	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
5	interviewer:int-4	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
6	candidate:cand-5	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
6	interviewer:int-5	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
7	candidate:cand-6	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
7	interviewer:int-6	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
8	candidate:cand-7	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
8	interviewer:int-7	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
9	candidate:cand-8	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
9	interviewer:int-8	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
10	candidate:cand-9	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
10	interviewer:int-9	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")
\.


--
-- Data for Name: interviewkit_schema; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.interviewkit_schema (version) FROM stdin;
3
\.


--
-- Data for Name: interviews; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.interviews (id, status, version, slot, body, updated_ms, recipients, last_event, last_from) FROM stdin;
1	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 1, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-0", "name": "cand-0", "email": "cand-0@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-0", "name": "int-0", "email": "int-0@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/rH737YZnuN8qsXHdTxvUYa9MQ9C6N7uE"}	1795756737000	candidate:cand-0\ninterviewer:int-0	book	pending
2	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 2, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-1", "name": "cand-1", "email": "cand-1@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-1", "name": "int-1", "email": "int-1@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/cNUksgRbzEyYBAnAYmTTiRJkuFCCAMiP"}	1795756737000	candidate:cand-1\ninterviewer:int-1	book	pending
3	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 3, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-2", "name": "cand-2", "email": "cand-2@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-2", "name": "int-2", "email": "int-2@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/y0udEwk3SsLyNbKjrPgLM5iyTVoDoPU_"}	1795756737000	candidate:cand-2\ninterviewer:int-2	book	pending
4	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 4, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-3", "name": "cand-3", "email": "cand-3@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-3", "name": "int-3", "email": "int-3@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LPDF1q1ZGFJXhX9ABEkWZ6Krh8UlUZZh"}	1795756737000	candidate:cand-3\ninterviewer:int-3	book	pending
5	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 5, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-4", "name": "cand-4", "email": "cand-4@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-4", "name": "int-4", "email": "int-4@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/fTrRPid_yUuHYV2-GseVazHtfOiyzZlB"}	1795756737000	candidate:cand-4\ninterviewer:int-4	book	pending
6	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 6, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-5", "name": "cand-5", "email": "cand-5@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-5", "name": "int-5", "email": "int-5@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/yje7k0r-d5UHqlQFG2ZqvCxRtVTO6L-J"}	1795756737000	candidate:cand-5\ninterviewer:int-5	book	pending
7	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 7, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-6", "name": "cand-6", "email": "cand-6@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-6", "name": "int-6", "email": "int-6@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LeeorZL3aNqAxSPK_A0lKSEC_VwmKHS4"}	1795756737000	candidate:cand-6\ninterviewer:int-6	book	pending
8	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 8, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-7", "name": "cand-7", "email": "cand-7@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-7", "name": "int-7", "email": "int-7@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/01-0IdUkJTtz5YIZ4GAcX4poE5kkY3iq"}	1795756737000	candidate:cand-7\ninterviewer:int-7	book	pending
9	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 9, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-8", "name": "cand-8", "email": "cand-8@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-8", "name": "int-8", "email": "int-8@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/2ygP0cfgaRhlzReWRFlazVBFvdiIWxjn"}	1795756737000	candidate:cand-8\ninterviewer:int-8	book	pending
10	scheduled	2	["2100-01-01 00:00:00+00","2100-01-01 01:00:00+00")	{"id": 10, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-9", "name": "cand-9", "email": "cand-9@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-9", "name": "int-9", "email": "int-9@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/1BXzj50DzjBHAaB7thr9BhWXIu7c8mxi"}	1795756737000	candidate:cand-9\ninterviewer:int-9	book	pending
\.


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.outbox (id, idempotency_key, interview_id, kind, channel, payload, message_token, due_ms, attempts, last_error, state, claimed_until_ms, created_ms, updated_ms, claim, unfinished_claims, first_attempt_ms, recipient, revision) FROM stdin;
1	interview/1/v2/candidate:cand-0/interview_scheduled	1	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 1, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-0", "name": "cand-0", "email": "cand-0@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-0", "name": "int-0", "email": "int-0@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/rH737YZnuN8qsXHdTxvUYa9MQ9C6N7uE"}, "recipient": {"id": "cand-0", "name": "cand-0", "role": "candidate", "email": "cand-0@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/1/v2/candidate:cand-0/interview_scheduled"}	0A3RkBCsbJiI41CnQjDj2A	1795756737375	0		pending	\N	1795756737375	1795756737375	0	0	\N	candidate:cand-0	2
2	interview/1/v2/interviewer:int-0/interview_scheduled	1	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 1, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-0", "name": "cand-0", "email": "cand-0@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-0", "name": "int-0", "email": "int-0@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/rH737YZnuN8qsXHdTxvUYa9MQ9C6N7uE"}, "recipient": {"id": "int-0", "name": "int-0", "role": "interviewer", "email": "int-0@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/1/v2/interviewer:int-0/interview_scheduled"}	6p5cuOzl04VGRqCc_2ftqg	1795756737375	0		pending	\N	1795756737375	1795756737375	0	0	\N	interviewer:int-0	2
17	interview/2/v2/candidate:cand-1/interview_scheduled	2	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 2, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-1", "name": "cand-1", "email": "cand-1@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-1", "name": "int-1", "email": "int-1@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/cNUksgRbzEyYBAnAYmTTiRJkuFCCAMiP"}, "recipient": {"id": "cand-1", "name": "cand-1", "role": "candidate", "email": "cand-1@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/2/v2/candidate:cand-1/interview_scheduled"}	0sgcH7t9N0RHwpILPNnaJQ	1795756737378	0		pending	\N	1795756737378	1795756737378	0	0	\N	candidate:cand-1	2
18	interview/2/v2/interviewer:int-1/interview_scheduled	2	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 2, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-1", "name": "cand-1", "email": "cand-1@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-1", "name": "int-1", "email": "int-1@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/cNUksgRbzEyYBAnAYmTTiRJkuFCCAMiP"}, "recipient": {"id": "int-1", "name": "int-1", "role": "interviewer", "email": "int-1@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/2/v2/interviewer:int-1/interview_scheduled"}	rQgf71LuRv08wyvjuB5h7A	1795756737378	0		pending	\N	1795756737378	1795756737378	0	0	\N	interviewer:int-1	2
33	interview/3/v2/candidate:cand-2/interview_scheduled	3	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 3, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-2", "name": "cand-2", "email": "cand-2@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-2", "name": "int-2", "email": "int-2@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/y0udEwk3SsLyNbKjrPgLM5iyTVoDoPU_"}, "recipient": {"id": "cand-2", "name": "cand-2", "role": "candidate", "email": "cand-2@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/3/v2/candidate:cand-2/interview_scheduled"}	wDUyLTDeAcvPbiDkEEVknA	1795756737381	0		pending	\N	1795756737381	1795756737381	0	0	\N	candidate:cand-2	2
34	interview/3/v2/interviewer:int-2/interview_scheduled	3	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 3, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-2", "name": "cand-2", "email": "cand-2@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-2", "name": "int-2", "email": "int-2@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/y0udEwk3SsLyNbKjrPgLM5iyTVoDoPU_"}, "recipient": {"id": "int-2", "name": "int-2", "role": "interviewer", "email": "int-2@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/3/v2/interviewer:int-2/interview_scheduled"}	Z3HvBPyqyhNY8PkB-HIJ2g	1795756737381	0		pending	\N	1795756737381	1795756737381	0	0	\N	interviewer:int-2	2
49	interview/4/v2/candidate:cand-3/interview_scheduled	4	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 4, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-3", "name": "cand-3", "email": "cand-3@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-3", "name": "int-3", "email": "int-3@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LPDF1q1ZGFJXhX9ABEkWZ6Krh8UlUZZh"}, "recipient": {"id": "cand-3", "name": "cand-3", "role": "candidate", "email": "cand-3@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/4/v2/candidate:cand-3/interview_scheduled"}	TCWEoLUz5TwkinP9ScS4Ng	1795756737383	0		pending	\N	1795756737383	1795756737383	0	0	\N	candidate:cand-3	2
50	interview/4/v2/interviewer:int-3/interview_scheduled	4	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 4, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-3", "name": "cand-3", "email": "cand-3@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-3", "name": "int-3", "email": "int-3@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LPDF1q1ZGFJXhX9ABEkWZ6Krh8UlUZZh"}, "recipient": {"id": "int-3", "name": "int-3", "role": "interviewer", "email": "int-3@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/4/v2/interviewer:int-3/interview_scheduled"}	H74mcWBIKKarBJNQosfAmg	1795756737383	0		pending	\N	1795756737383	1795756737383	0	0	\N	interviewer:int-3	2
65	interview/5/v2/candidate:cand-4/interview_scheduled	5	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 5, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-4", "name": "cand-4", "email": "cand-4@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-4", "name": "int-4", "email": "int-4@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/fTrRPid_yUuHYV2-GseVazHtfOiyzZlB"}, "recipient": {"id": "cand-4", "name": "cand-4", "role": "candidate", "email": "cand-4@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/5/v2/candidate:cand-4/interview_scheduled"}	IR27vKmab5WsmwzQn-45ew	1795756737385	0		pending	\N	1795756737385	1795756737385	0	0	\N	candidate:cand-4	2
66	interview/5/v2/interviewer:int-4/interview_scheduled	5	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 5, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-4", "name": "cand-4", "email": "cand-4@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-4", "name": "int-4", "email": "int-4@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/fTrRPid_yUuHYV2-GseVazHtfOiyzZlB"}, "recipient": {"id": "int-4", "name": "int-4", "role": "interviewer", "email": "int-4@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/5/v2/interviewer:int-4/interview_scheduled"}	jPcFLWnl9dMISO-xHbYddw	1795756737385	0		pending	\N	1795756737385	1795756737385	0	0	\N	interviewer:int-4	2
81	interview/6/v2/candidate:cand-5/interview_scheduled	6	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 6, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-5", "name": "cand-5", "email": "cand-5@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-5", "name": "int-5", "email": "int-5@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/yje7k0r-d5UHqlQFG2ZqvCxRtVTO6L-J"}, "recipient": {"id": "cand-5", "name": "cand-5", "role": "candidate", "email": "cand-5@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/6/v2/candidate:cand-5/interview_scheduled"}	aWrQZh5FKH79keGtxzmOPw	1795756737387	0		pending	\N	1795756737387	1795756737387	0	0	\N	candidate:cand-5	2
82	interview/6/v2/interviewer:int-5/interview_scheduled	6	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 6, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-5", "name": "cand-5", "email": "cand-5@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-5", "name": "int-5", "email": "int-5@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/yje7k0r-d5UHqlQFG2ZqvCxRtVTO6L-J"}, "recipient": {"id": "int-5", "name": "int-5", "role": "interviewer", "email": "int-5@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/6/v2/interviewer:int-5/interview_scheduled"}	deFRbGVAs4bkn3SaGpvYAg	1795756737387	0		pending	\N	1795756737387	1795756737387	0	0	\N	interviewer:int-5	2
97	interview/7/v2/candidate:cand-6/interview_scheduled	7	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 7, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-6", "name": "cand-6", "email": "cand-6@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-6", "name": "int-6", "email": "int-6@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LeeorZL3aNqAxSPK_A0lKSEC_VwmKHS4"}, "recipient": {"id": "cand-6", "name": "cand-6", "role": "candidate", "email": "cand-6@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/7/v2/candidate:cand-6/interview_scheduled"}	sgdb7pvvby-7nCH-8WsM0A	1795756737389	0		pending	\N	1795756737389	1795756737389	0	0	\N	candidate:cand-6	2
98	interview/7/v2/interviewer:int-6/interview_scheduled	7	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 7, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-6", "name": "cand-6", "email": "cand-6@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-6", "name": "int-6", "email": "int-6@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/LeeorZL3aNqAxSPK_A0lKSEC_VwmKHS4"}, "recipient": {"id": "int-6", "name": "int-6", "role": "interviewer", "email": "int-6@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/7/v2/interviewer:int-6/interview_scheduled"}	kG7kmLqlmLXfrtUWRx9g2Q	1795756737389	0		pending	\N	1795756737389	1795756737389	0	0	\N	interviewer:int-6	2
113	interview/8/v2/candidate:cand-7/interview_scheduled	8	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 8, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-7", "name": "cand-7", "email": "cand-7@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-7", "name": "int-7", "email": "int-7@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/01-0IdUkJTtz5YIZ4GAcX4poE5kkY3iq"}, "recipient": {"id": "cand-7", "name": "cand-7", "role": "candidate", "email": "cand-7@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/8/v2/candidate:cand-7/interview_scheduled"}	_NNqv3WV6iIX0-4SJybtyQ	1795756737390	0		pending	\N	1795756737390	1795756737390	0	0	\N	candidate:cand-7	2
114	interview/8/v2/interviewer:int-7/interview_scheduled	8	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 8, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-7", "name": "cand-7", "email": "cand-7@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-7", "name": "int-7", "email": "int-7@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/01-0IdUkJTtz5YIZ4GAcX4poE5kkY3iq"}, "recipient": {"id": "int-7", "name": "int-7", "role": "interviewer", "email": "int-7@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/8/v2/interviewer:int-7/interview_scheduled"}	cqZ4aiONvOgbOJ2SDCjoJA	1795756737390	0		pending	\N	1795756737390	1795756737390	0	0	\N	interviewer:int-7	2
129	interview/9/v2/candidate:cand-8/interview_scheduled	9	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 9, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-8", "name": "cand-8", "email": "cand-8@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-8", "name": "int-8", "email": "int-8@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/2ygP0cfgaRhlzReWRFlazVBFvdiIWxjn"}, "recipient": {"id": "cand-8", "name": "cand-8", "role": "candidate", "email": "cand-8@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/9/v2/candidate:cand-8/interview_scheduled"}	RMkIE-P9_9Y5SSey44jGsQ	1795756737393	0		pending	\N	1795756737393	1795756737393	0	0	\N	candidate:cand-8	2
130	interview/9/v2/interviewer:int-8/interview_scheduled	9	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 9, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-8", "name": "cand-8", "email": "cand-8@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-8", "name": "int-8", "email": "int-8@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/2ygP0cfgaRhlzReWRFlazVBFvdiIWxjn"}, "recipient": {"id": "int-8", "name": "int-8", "role": "interviewer", "email": "int-8@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/9/v2/interviewer:int-8/interview_scheduled"}	29acHT9rNEPPrxdDT-3C8w	1795756737393	0		pending	\N	1795756737393	1795756737393	0	0	\N	interviewer:int-8	2
145	interview/10/v2/candidate:cand-9/interview_scheduled	10	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 10, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-9", "name": "cand-9", "email": "cand-9@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-9", "name": "int-9", "email": "int-9@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/1BXzj50DzjBHAaB7thr9BhWXIu7c8mxi"}, "recipient": {"id": "cand-9", "name": "cand-9", "role": "candidate", "email": "cand-9@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/10/v2/candidate:cand-9/interview_scheduled"}	eaUYbmWLUTQC6VTib1IKSA	1795756737394	0		pending	\N	1795756737394	1795756737394	0	0	\N	candidate:cand-9	2
146	interview/10/v2/interviewer:int-9/interview_scheduled	10	interview_scheduled	default	{"kind": "interview_scheduled", "reason": "", "interview": {"id": 10, "slot": {"end": "2100-01-01T01:00:00Z", "start": "2100-01-01T00:00:00Z"}, "title": "Bench", "status": "scheduled", "version": 2, "candidate": {"id": "cand-9", "name": "cand-9", "email": "cand-9@example.com", "time_zone": "Europe/Berlin"}, "created_at": "2026-11-27T05:18:57Z", "updated_at": "2026-11-27T05:18:57Z", "interviewers": [{"id": "int-9", "name": "int-9", "email": "int-9@example.com", "time_zone": "Europe/Berlin"}], "meeting_link": "https://meet.example.com/1BXzj50DzjBHAaB7thr9BhWXIu7c8mxi"}, "recipient": {"id": "int-9", "name": "int-9", "role": "interviewer", "email": "int-9@example.com", "time_zone": "Europe/Berlin"}, "previous_slot": null, "idempotency_key": "interview/10/v2/interviewer:int-9/interview_scheduled"}	lq0Z5UxETy3VSeLjFPhIuQ	1795756737394	0		pending	\N	1795756737394	1795756737394	0	0	\N	interviewer:int-9	2
\.


--
-- Data for Name: retention; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.retention (purged_before_ms) FROM stdin;
\.


--
-- Name: action_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.action_log_id_seq', 1, false);


--
-- Name: interviews_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.interviews_id_seq', 16, true);


--
-- Name: outbox_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_id_seq', 160, true);


--
-- Name: action_log action_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_log
    ADD CONSTRAINT action_log_pkey PRIMARY KEY (id);


--
-- Name: idempotency idempotency_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency
    ADD CONSTRAINT idempotency_pkey PRIMARY KEY (key);


--
-- Name: interview_people interview_people_no_overlap; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interview_people
    ADD CONSTRAINT interview_people_no_overlap EXCLUDE USING gist (person WITH =, slot WITH &&);


--
-- Name: interview_people interview_people_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interview_people
    ADD CONSTRAINT interview_people_pkey PRIMARY KEY (interview_id, person);


--
-- Name: interviews interviews_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interviews
    ADD CONSTRAINT interviews_pkey PRIMARY KEY (id);


--
-- Name: outbox outbox_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_idempotency_key_key UNIQUE (idempotency_key);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: action_log_by_action; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_log_by_action ON public.action_log USING btree (action, time_ms);


--
-- Name: action_log_by_interview; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_log_by_interview ON public.action_log USING btree (interview_id, time_ms);


--
-- Name: action_log_by_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_log_by_time ON public.action_log USING btree (time_ms);


--
-- Name: interviews_by_change; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX interviews_by_change ON public.interviews USING btree (updated_ms, id);


--
-- Name: outbox_by_interview; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_by_interview ON public.outbox USING btree (interview_id, id);


--
-- Name: outbox_by_recipient; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_by_recipient ON public.outbox USING btree (recipient, id);


--
-- Name: outbox_by_revision; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_by_revision ON public.outbox USING btree (interview_id, revision);


--
-- Name: outbox_done; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_done ON public.outbox USING btree (state, updated_ms);


--
-- Name: outbox_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_pending ON public.outbox USING btree (due_ms, id) WHERE (state = 'pending'::text);


--
-- Name: interviews interviews_index_people; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER interviews_index_people AFTER INSERT OR UPDATE ON public.interviews FOR EACH ROW EXECUTE FUNCTION public.interviewkit_index_people();


--
-- Name: interview_people interview_people_interview_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interview_people
    ADD CONSTRAINT interview_people_interview_id_fkey FOREIGN KEY (interview_id) REFERENCES public.interviews(id) ON DELETE CASCADE;


--
-- Name: outbox outbox_interview_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_interview_id_fkey FOREIGN KEY (interview_id) REFERENCES public.interviews(id);


--
-- PostgreSQL database dump complete
--


