package io.sluice.contract;

import io.sluice.event.ChangeEvent;
import java.util.ArrayList;
import java.util.List;

/** What a contract says of one change: it goes on (perhaps transformed, perhaps with failures only counted), or it stops. */
public sealed interface Verdict {

    /** Every rule the change failed, in order: those only counted, then the one that stopped it, if any. */
    List<RuleFailure> failures();

    /** Every rule passed or failed with {@link RuleAction#NONE}: the change goes on, as the transforms left it. */
    record Passed(ChangeEvent event, List<RuleFailure> noted) implements Verdict {
        public Passed {
            noted = List.copyOf(noted);
        }

        @Override
        public List<RuleFailure> failures() {
            return noted;
        }
    }

    /** A rule failed with {@link RuleAction#DLQ} or {@link RuleAction#ERROR}; the rules after it did not run. */
    record Stopped(ChangeEvent event, RuleFailure failure, List<RuleFailure> noted) implements Verdict {
        public Stopped {
            noted = List.copyOf(noted);
        }

        @Override
        public List<RuleFailure> failures() {
            List<RuleFailure> all = new ArrayList<>(noted);
            all.add(failure);
            return all;
        }
    }
}
