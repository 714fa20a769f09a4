-- rule: restrictive_policy
-- Every table with row-level security has a RESTRICTIVE policy for all commands; on a clinic's table (tenant_id) it compares tenant_id with ward.current_tenant().
SELECT c.oid::pg_catalog.regclass::text AS subject,
       CASE WHEN t.attname IS NULL THEN 'no restrictive policy' ELSE 'no restrictive tenant policy' END AS problem
  FROM pg_catalog.pg_class c
  LEFT JOIN pg_catalog.pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped
 WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
   AND NOT EXISTS (
       SELECT 1 FROM pg_catalog.pg_policy p
        WHERE p.polrelid = c.oid AND NOT p.polpermissive AND p.polcmd = '*'
          AND (t.attname IS NULL
               OR (pg_catalog.pg_get_expr(p.polqual, p.polrelid) ~ 'tenant_id = \( SELECT ward\.current_tenant\(\)|tenant_id = ward\.current_tenant\(\)'
                   AND pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) ~ 'tenant_id = \( SELECT ward\.current_tenant\(\)|tenant_id = ward\.current_tenant\(\)')))
