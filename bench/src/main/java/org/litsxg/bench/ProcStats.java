package org.litsxg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a benchmark reads of a process: CPU time and resident memory from {@code /proc}, and a
 * JVM's live heap after a forced full GC through {@code jcmd}. Each is -1 when it cannot be read.
 */
final class ProcStats {
    private static final Pattern HEAP_USED = Pattern.compile("used\\s+(\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** CPU time (user + system) process {@code pid} has used so far, in milliseconds. */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The number in the line of {@code /proc/<pid>/status} that starts with {@code field} (e.g. {@code VmRSS:}). */
    static long statusField(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Live heap of the JVM {@code pid} after a forced full GC, KiB; -1 when jcmd fails. */
    static long heapAfterGcKib(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long used = 0;
        boolean found = false;
        // G1 and Serial print one "used NK" on the heap's first line; Serial also prints per generation.
        for (String line : info.split("\n")) {
            String t = line.trim();
            if (t.startsWith("garbage-first heap") || t.startsWith("def new generation") || t.startsWith("tenured generation")
                    || t.startsWith("PSYoungGen") || t.startsWith("ParOldGen")) {
                Matcher m = HEAP_USED.matcher(t);
                if (m.find()) {
                    used += Long.parseLong(m.group(1));
                    found = true;
                }
            }
        }
        return found ? used : -1;
    }

    /** {@code jcmd <pid> <what>}'s output, "" when it fails; bounded to 60 s. */
    static String jcmd(long pid, String what) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return BoundedCommand.output(List.of(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid), what), 60);
    }
}
