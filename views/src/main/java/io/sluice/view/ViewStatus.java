package io.sluice.view;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sluice.event.TableId;
import java.util.List;

/**
 * What a view did since its source's worker started.
 *
 * @param view the view's name
 * @param problems why the view cannot run against the source's tables as they are now (a table or column gone); empty
 *     while it can
 * @param waitingFor the tables whose registered schema the view waits for before it can build documents; empty once
 *     it can
 * @param changes the changes of its tables it looked at
 * @param documents the documents it rebuilt on the stream
 * @param handedOver the documents it handed to background rebuilds, fan-outs over the cap
 */
public record ViewStatus(String view, List<String> problems, List<TableId> waitingFor, long changes, long documents, long handedOver) {

    static ViewStatus of(String view) {
        return new ViewStatus(view, List.of(), List.of(), 0, 0, 0);
    }

    /** Documents rebuilt per change looked at: how much a change of a related table costs. */
    @JsonProperty("amplification")
    public double amplification() {
        return changes == 0 ? 0 : (double) (documents + handedOver) / changes;
    }

    ViewStatus compiled() {
        return new ViewStatus(view, List.of(), List.of(), changes, documents, handedOver);
    }

    ViewStatus waitingFor(List<TableId> tables) {
        return new ViewStatus(view, List.of(), List.copyOf(tables), changes, documents, handedOver);
    }

    ViewStatus invalid(List<String> now) {
        return new ViewStatus(view, List.copyOf(now), List.of(), changes, documents, handedOver);
    }

    ViewStatus rebuilt(int changesSeen, int documentsRebuilt) {
        return new ViewStatus(view, problems, waitingFor, changes + changesSeen, documents + documentsRebuilt, handedOver);
    }

    ViewStatus handedOver(int changesSeen, int documentsHandedOver) {
        return new ViewStatus(view, problems, waitingFor, changes + changesSeen, documents, handedOver + documentsHandedOver);
    }
}
