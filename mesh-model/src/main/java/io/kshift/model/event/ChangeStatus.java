package io.kshift.model.event;

/** Where a change stands: submitted and not yet decided, or the validator's verdict. */
public enum ChangeStatus {
    PENDING, ACCEPTED, REJECTED
}
