-- The rules of `ward verify`, run from the same files: Sources/WardCore/Rules/*.sql and
-- its allowlist, loaded by scripts/pgtap.sh into schema tap_rules (which ward_app cannot
-- reach). Each rule must find nothing beyond its allowlisted exceptions.
BEGIN;
SELECT plan((SELECT count(*)::int FROM tap_rules.rules) + 1);
SELECT ok((SELECT count(*) FROM tap_rules.rules) >= 14 AND (SELECT count(*) FROM tap_rules.allowlist) > 0,
          'the rule files and the allowlist were loaded');
SELECT is_empty(format($q$
           SELECT f.subject, f.problem FROM (%s) f
            WHERE NOT EXISTS (SELECT 1 FROM tap_rules.allowlist a WHERE a.rule = %L AND a.subject = f.subject)
           $q$, r.sql, r.name),
       r.name || ': ' || r.description)
  FROM tap_rules.rules r ORDER BY r.name;
SELECT * FROM finish();
ROLLBACK;
