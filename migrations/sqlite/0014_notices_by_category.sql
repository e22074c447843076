-- The staff queue filtered by category: each status's notices of one category in deadline
-- order, with the high-risk flag beside them, so that a rare combination (or one that matches
-- nothing) is found by a short walk of this index instead of every notice of the status.
CREATE INDEX notices_category_state_deadline ON notices (category, state, deadline_at, id, high_risk);
