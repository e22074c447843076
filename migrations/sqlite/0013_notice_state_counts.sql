-- How many notices are in each state, kept by triggers in the same transaction as every insert,
-- change of state and delete, so that the staff queue shows its counts per status without
-- counting a million rows on each render.
CREATE TABLE notice_state_counts (
    state TEXT PRIMARY KEY,
    notices INTEGER NOT NULL
);

-- Every state has its row from the start (SQLite writers take turns, so the order of the
-- updates below does not matter).
INSERT INTO notice_state_counts (state, notices)
SELECT s.state, (SELECT COUNT(*) FROM notices n WHERE n.state = s.state)
FROM (SELECT 'open' AS state UNION ALL SELECT 'acknowledged' UNION ALL SELECT 'evidence_submitted'
      UNION ALL SELECT 'under_review' UNION ALL SELECT 'evidence_rejected' UNION ALL SELECT 'disputed'
      UNION ALL SELECT 'upheld' UNION ALL SELECT 'overdue' UNION ALL SELECT 'resolved'
      UNION ALL SELECT 'withdrawn' UNION ALL SELECT 'closed') AS s;

CREATE TRIGGER notice_state_counts_insert AFTER INSERT ON notices
BEGIN
    UPDATE notice_state_counts SET notices = notices + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER notice_state_counts_update AFTER UPDATE OF state ON notices
WHEN OLD.state <> NEW.state
BEGIN
    UPDATE notice_state_counts SET notices = notices - 1 WHERE state = OLD.state;
    UPDATE notice_state_counts SET notices = notices + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER notice_state_counts_delete AFTER DELETE ON notices
BEGIN
    UPDATE notice_state_counts SET notices = notices - 1 WHERE state = OLD.state;
END;
