-- The time the application acts on, read through one function (issue 15). In production it
-- is the transaction's now(); the test harness (ThrowawayCluster) replaces it, as
-- superuser, with a pinned instant that advances, so a run can happen on any chosen day.
-- Nothing ward_app can set moves it. Always call it qualified: unqualified now() is
-- pg_catalog's.
--
-- ward_app may execute it: the terminal takes the clinic's date and time from the server
-- (the top bar's clock, "today" on the appointment screens). It tells the caller nothing
-- but the time, which now() already gives every role.
CREATE FUNCTION ward.now() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT pg_catalog.now() $$;
GRANT EXECUTE ON FUNCTION ward.now() TO ward_app, ward_auth;
