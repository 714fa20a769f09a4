-- rule: sensitive_columns
-- Neither ward_app nor ward_api (which reads for the api) may read a column whose name says secret (password, token, hash, key, signature, allergies, body ...), unless it holds only ciphertext (allowlist).
SELECT c.oid::pg_catalog.regclass::text || '.' || a.attname AS subject,
       'ward_app or ward_api may read a sensitive-named column' AS problem
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND a.attname ~ '(password|passwd|secret|token|hash|salt|wrapped|key|signature|allergies|body|ssn)'
   AND EXISTS (SELECT 1 FROM (VALUES ('ward_app'), ('ward_api')) r (role)
                WHERE pg_catalog.has_schema_privilege(r.role, c.relnamespace, 'USAGE')
                  AND pg_catalog.has_column_privilege(r.role, c.oid, a.attnum, 'SELECT'))
