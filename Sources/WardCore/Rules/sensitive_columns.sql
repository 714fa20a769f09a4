-- rule: sensitive_columns
-- ward_app may read no column whose name says secret (password, token, hash, key, signature, allergies, body ...), unless it holds only ciphertext (allowlist).
SELECT c.oid::pg_catalog.regclass::text || '.' || a.attname AS subject,
       'ward_app may read a sensitive-named column' AS problem
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND a.attname ~ '(password|passwd|secret|token|hash|salt|wrapped|key|signature|allergies|body|ssn)'
   AND pg_catalog.has_schema_privilege('ward_app', c.relnamespace, 'USAGE')
   AND pg_catalog.has_column_privilege('ward_app', c.oid, a.attnum, 'SELECT')
