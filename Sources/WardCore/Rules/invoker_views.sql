-- rule: invoker_views
-- Every view of schema api runs with the caller's rights and as a security barrier, so the caller's own policies apply.
SELECT c.oid::pg_catalog.regclass::text AS subject,
       'not security_invoker and security_barrier: it would bypass the caller''s policies' AS problem
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'api'::pg_catalog.regnamespace AND c.relkind = 'v'
   AND NOT (COALESCE(c.reloptions @> ARRAY['security_invoker=true'], false)
            AND COALESCE(c.reloptions @> ARRAY['security_barrier=true'], false))
