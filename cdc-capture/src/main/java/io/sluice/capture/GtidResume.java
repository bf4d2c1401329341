package io.sluice.capture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where capture resumes on a MariaDB server it did not read from before (a promoted replica), from the GTIDs of the
 * stored offset and the server's {@code @@gtid_binlog_state} (the last sequence number per domain and originating
 * server in its binlog). A stored GTID the server holds is kept. A stored GTID whose origin the server knows, but only
 * up to a lower sequence number, means the server never received the last transactions capture read (a replica behind
 * when it was promoted): capture resumes after the last of them it did receive, so that everything the server holds
 * arrives; what it never received is not in the source any more, and a verification with repair takes it out of the
 * targets. A stored GTID whose origin the server does not know at all is kept: the server then refuses it, which
 * fails the source as a lost position.
 *
 * @param gtids the GTID set to resume from, in the stored one's format ({@code domain-server-sequence}, comma-separated)
 * @param behind the stored GTIDs the server does not hold, each with the last one of its origin that it holds
 */
record GtidResume(String gtids, List<String> behind) {

    static GtidResume of(String stored, String binlogState) {
        Map<String, Long> held = new HashMap<>();
        for (String gtid : split(binlogState)) {
            String[] p = gtid.split("-");
            if (p.length == 3) {
                held.merge(p[0] + "-" + p[1], Long.parseLong(p[2]), Math::max);
            }
        }
        List<String> out = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        for (String gtid : split(stored)) {
            String[] p = gtid.split("-");
            Long last = p.length == 3 ? held.get(p[0] + "-" + p[1]) : null;
            if (last == null || last >= Long.parseLong(p[2])) {
                out.add(gtid);
            } else {
                String resume = p[0] + "-" + p[1] + "-" + last;
                out.add(resume);
                behind.add(gtid + " (the server's last from that origin: " + resume + ")");
            }
        }
        return new GtidResume(String.join(",", out), List.copyOf(behind));
    }

    private static List<String> split(String gtids) {
        List<String> out = new ArrayList<>();
        for (String g : gtids.split(",")) {
            if (!g.isBlank()) {
                out.add(g.trim());
            }
        }
        return out;
    }
}
