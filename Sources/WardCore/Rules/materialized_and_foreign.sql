-- rule: materialized_and_foreign
-- No materialized view or foreign table in a schema ward_app or ward_api can reach: row-level security does not apply to them.
SELECT c.oid::pg_catalog.regclass::text AS subject,
       CASE c.relkind WHEN 'm' THEN 'a materialized view' ELSE 'a foreign table' END
           || ': row-level security does not apply to it' AS problem
  FROM pg_catalog.pg_class c
 WHERE c.relkind IN ('m', 'f')
   AND c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND (pg_catalog.has_schema_privilege('ward_app', c.relnamespace, 'USAGE')
        OR pg_catalog.has_schema_privilege('ward_api', c.relnamespace, 'USAGE'))
