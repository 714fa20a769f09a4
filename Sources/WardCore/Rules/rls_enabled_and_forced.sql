-- rule: rls_enabled_and_forced
-- Every table of every schema ward_app or ward_api can reach has row-level security enabled and forced (the owner too).
SELECT c.oid::pg_catalog.regclass::text AS subject,
       pg_catalog.concat_ws(', ', CASE WHEN NOT c.relrowsecurity THEN 'RLS not enabled' END,
                                  CASE WHEN NOT c.relforcerowsecurity THEN 'RLS not forced' END) AS problem
  FROM pg_catalog.pg_class c
 WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
   AND c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND (pg_catalog.has_schema_privilege('ward_app', c.relnamespace, 'USAGE')
        OR pg_catalog.has_schema_privilege('ward_api', c.relnamespace, 'USAGE'))
   AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
