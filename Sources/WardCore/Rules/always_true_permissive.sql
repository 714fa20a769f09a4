-- rule: always_true_permissive
-- No PERMISSIVE policy allows every row (USING (true)) unless a restrictive policy bounds it (each such case is in the allowlist with its reason).
SELECT 'policy ' || p.polname || ' on ' || p.polrelid::pg_catalog.regclass::text AS subject,
       'a permissive policy that allows every row' AS problem
  FROM pg_catalog.pg_policy p
 WHERE p.polpermissive
   AND (pg_catalog.pg_get_expr(p.polqual, p.polrelid) = 'true'
        OR pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) = 'true')
