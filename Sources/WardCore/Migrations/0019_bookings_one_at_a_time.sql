-- One clinician's bookings at one clinic are made one at a time.
--
-- The exclusion constraint (0008) never lets two of a clinician's appointments overlap.
-- But two concurrent inserts that overlap each other each wait for the other's exclusion
-- check, and PostgreSQL breaks that cycle by aborting one of them as a deadlock (40P01)
-- after deadlock_timeout: the desk waited a second to read "busy, try again" instead of
-- the clash named, and a burst of bookings crawled. A transaction-scoped advisory lock per
-- (clinic, clinician), taken before the row is written, turns the cycle into a short
-- queue; the constraint then names the clash. It is released at commit or rollback, and
-- other clinicians' bookings never wait for it.
CREATE FUNCTION ward.one_booking_at_a_time() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.during IS DISTINCT FROM OLD.during
       OR NEW.clinician_id IS DISTINCT FROM OLD.clinician_id OR NEW.status IS DISTINCT FROM OLD.status THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(
            pg_catalog.hashtextextended('ward.booking/' || NEW.tenant_id::text || '/' || NEW.clinician_id::text, 0));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER appointments_one_at_a_time BEFORE INSERT OR UPDATE ON ward.appointments
    FOR EACH ROW EXECUTE FUNCTION ward.one_booking_at_a_time();
