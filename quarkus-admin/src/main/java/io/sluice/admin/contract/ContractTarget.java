package io.sluice.admin.contract;

import io.sluice.backfill.BackfillException;
import io.sluice.backfill.BackfillRun;
import io.sluice.contract.ContractCheck;
import io.sluice.contract.RuleErrorException;
import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.sink.dlq.DeadLetterQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * A backfill's (reindex's, repair's) target behind the tables' data contracts, as the stream's sinks are: rows a rule
 * transforms are written transformed, rows a {@code DLQ} rule stops go to the dead letters of the backfill's sinks, a
 * row an {@code ERROR} rule stops fails the backfill with the rule and the row named (it can be resumed once the rule
 * or the row is fixed). Thread-safe: a backfill writes chunks from several threads.
 */
public final class ContractTarget implements BackfillRun.Target {
    private final BackfillRun.Target target;
    private final ContractCheck check;
    private final List<String> sinks;
    private final DeadLetterQueue deadLetters;

    public ContractTarget(BackfillRun.Target target, ContractCheck check, List<String> sinks, DeadLetterQueue deadLetters) {
        this.target = target;
        this.check = check;
        this.sinks = List.copyOf(sinks);
        this.deadLetters = deadLetters;
    }

    @Override
    public void write(List<ChangeEvent> rows) throws InterruptedException {
        ContractCheck.Checked checked;
        synchronized (check) {
            try {
                checked = check.apply(new ArrayList<SourceEvent>(rows));
            } catch (RuleErrorException e) {
                throw new BackfillException(e.getMessage());
            }
        }
        for (ContractCheck.Stopped stopped : checked.deadLetters()) {
            for (String sink : sinks) {
                deadLetters.add(sink, stopped.event(), stopped.reason());
            }
        }
        List<ChangeEvent> out = new ArrayList<>(checked.events().size());
        checked.events().forEach(e -> out.add((ChangeEvent) e));
        if (!out.isEmpty()) {
            target.write(out);
        }
    }
}
