-- How many notices are in each state, kept by a trigger in the same transaction as every insert,
-- change of state and delete, so that the staff queue shows its counts per status without
-- counting a million rows on each render.
--
-- Every state has its row from the start, and a change of state locks its two rows in the
-- order of their names, so two transactions moving notices in opposite directions wait for each
-- other instead of deadlocking. Writers of one state's count wait for each other's commit;
-- writes of notices are short.
CREATE TABLE notice_state_counts (
    state TEXT PRIMARY KEY,
    notices BIGINT NOT NULL
);

INSERT INTO notice_state_counts (state, notices)
SELECT s.state, (SELECT COUNT(*) FROM notices n WHERE n.state = s.state)
FROM (VALUES ('open'), ('acknowledged'), ('evidence_submitted'), ('under_review'),
             ('evidence_rejected'), ('disputed'), ('upheld'), ('overdue'), ('resolved'),
             ('withdrawn'), ('closed')) AS s (state);

CREATE FUNCTION notice_state_counts_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM notice_state_counts WHERE state IN (OLD.state, NEW.state)
        ORDER BY state FOR UPDATE;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE notice_state_counts SET notices = notices - 1 WHERE state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE notice_state_counts SET notices = notices + 1 WHERE state = NEW.state;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notice_state_counts_insert_delete AFTER INSERT OR DELETE ON notices
FOR EACH ROW EXECUTE FUNCTION notice_state_counts_keep();

CREATE TRIGGER notice_state_counts_update AFTER UPDATE OF state ON notices
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION notice_state_counts_keep();
