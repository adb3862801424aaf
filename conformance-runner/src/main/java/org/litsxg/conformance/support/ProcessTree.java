package org.litsxg.conformance.support;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A process and its descendants: listing them, signalling and killing them, and how deep one lies below another. */
final class ProcessTree {

    private ProcessTree() {
    }

    /** {@code root} and its descendants now. */
    static List<ProcessHandle> of(ProcessHandle root) {
        return Stream.concat(Stream.of(root), root.descendants()).toList();
    }

    /** SIGKILL to every process of {@code tree}, and to descendants started after the snapshot. */
    static void kill(List<ProcessHandle> tree) {
        tree.forEach(ProcessHandle::destroyForcibly);
        // Descendants started after the snapshot (unlikely) are caught here.
        tree.forEach(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
    }

    /** Sends the signal {@code name} to process {@code pid} with {@code kill(1)}; blocks until it has run. */
    static void signal(long pid, String name) throws IOException {
        Process k = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).redirectErrorStream(true).start();
        try {
            if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IOException("kill -s " + name + " " + pid + " failed: "
                        + new String(k.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling", e);
        }
    }

    /** How many parents up from {@code h} {@code root} is (at most 64). */
    static int depth(ProcessHandle h, ProcessHandle root) {
        int d = 0;
        Optional<ProcessHandle> p = Optional.of(h);
        while (p.isPresent() && p.get().pid() != root.pid() && d < 64) {
            p = p.get().parent();
            d++;
        }
        return d;
    }
}
