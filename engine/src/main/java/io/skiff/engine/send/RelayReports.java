package io.skiff.engine.send;

import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;

import java.util.BitSet;
import java.util.List;

/**
 * The RELAY_STATUS reports of a target that relays the release to its region: each goes to the
 * {@link Observer} (which turns it into that downstream target's progress and result),
 * and the relay's own outcome is held until every one of its targets has reported one. Event loop only.
 */
final class RelayReports {
    /** Hears a relay's reports on its targets (on the event loop). */
    interface Observer {
        void status(RelayStatusFrame status);
    }

    /** What a relay is asked to do, and who hears its reports. */
    record Role(List<RelayFrame.Target> targets, Observer observer) {
    }

    private final Role role;
    /** Downstream targets whose outcome (activated, already active, failed) has been reported. */
    private final BitSet finished = new BitSet();
    private boolean heldAlreadyActive;
    private int heldCopiedLocally;

    RelayReports(Role role) {
        this.role = role;
    }

    /**
     * Records {@code status} and hands it to the observer; false, recording nothing, for a report on an
     * index beyond the RELAY list or after that target's outcome (then {@link #rejection} says why).
     */
    boolean accept(RelayStatusFrame status) {
        if (status.index() >= role.targets().size() || finished.get(status.index())) {
            return false;
        }
        if (status.state().finished()) {
            finished.set(status.index());
        }
        role.observer().status(status);
        return true;
    }

    String rejection(RelayStatusFrame status) {
        return "relay reported on target index=" + status.index() + " after its outcome or beyond "
                + role.targets().size() + " targets";
    }

    /** Every downstream target has its outcome. */
    boolean allReported() {
        return finished.cardinality() == role.targets().size();
    }

    /** The relay itself activated: its result, kept until {@link #allReported}. */
    void holdOutcome(boolean alreadyActive, int copiedLocally) {
        heldAlreadyActive = alreadyActive;
        heldCopiedLocally = copiedLocally;
    }

    boolean heldAlreadyActive() {
        return heldAlreadyActive;
    }

    int heldCopiedLocally() {
        return heldCopiedLocally;
    }
}
