-- rule: permissive_overlap
-- At most one PERMISSIVE policy per table, role and command: several are OR'ed, and each widens what the others allow.
SELECT c.oid::pg_catalog.regclass::text AS subject,
       pg_catalog.count(*) || ' permissive policies for '
           || CASE r.role WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r.role) END || ', '
           || CASE m.cmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' ELSE 'DELETE' END
           || ' (' || pg_catalog.string_agg(p.polname, ', ' ORDER BY p.polname) || ')' AS problem
  FROM pg_catalog.pg_policy p
  JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
 CROSS JOIN LATERAL pg_catalog.unnest(p.polroles) r(role)
 CROSS JOIN LATERAL (VALUES ('r'), ('a'), ('w'), ('d')) m(cmd)
 WHERE p.polpermissive AND (p.polcmd = '*' OR p.polcmd = m.cmd)
 GROUP BY c.oid, r.role, m.cmd
HAVING pg_catalog.count(*) > 1
