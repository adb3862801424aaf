package org.litsxg.conformance.support;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Killing the process that listens on a port rather than the whole tree (PROC-15, PROC-16: what
 * else of the build survives is what they look for), with the rest of the tree remembered and
 * killed when the kit is done; and, as a last resort, killing a listener that left the kit's
 * tree.
 */
final class ListenerKill {

    /** Processes of the tree that a kill of one of them may have left orphaned. */
    private final Set<ProcessHandle> leftovers = ConcurrentHashMap.newKeySet();

    /**
     * SIGKILL to the process of {@code tree} that holds the socket listening on {@code port}
     * (of several holders, the one nearest {@code root}); remembers the rest of the tree. Waits
     * for the killed process to end.
     *
     * @throws Unimplemented when no process of the tree can be seen to hold the listening socket
     */
    ProcessHandle kill(ProcessHandle root, List<ProcessHandle> tree, int port) {
        leftovers.addAll(tree);
        Set<String> inodes = ProcFs.listeningInodes(port);
        ProcessHandle holder = tree.stream()
                .filter(h -> ProcFs.holdsAny(h.pid(), inodes))
                .min(Comparator.comparingInt(h -> ProcessTree.depth(h, root)))
                .orElseThrow(() -> new Unimplemented("no process of the build's tree (" + tree.stream()
                        .map(h -> Long.toString(h.pid())).toList() + ") can be seen to hold a socket listening on port "
                        + port + " (/proc/net/tcp inodes " + inodes + "), so the kit cannot kill the listening "
                        + "process alone"));
        holder.destroyForcibly();
        try {
            holder.onExit().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the scenario's checks.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return holder;
    }

    /** SIGKILL to every process a {@link #kill} left behind. Idempotent. */
    void killLeftovers() {
        List<ProcessHandle> left = List.copyOf(leftovers);
        ProcessTree.kill(left);
        left.forEach(h -> {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Nothing more the kit can do.
            }
        });
    }

    /** The processes of the tree as it was before {@link #kill} that still run. */
    List<ProcessHandle> survivors() {
        return leftovers.stream().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * SIGKILL to every process of this machine that holds a socket listening on {@code port}
     * and whose environment holds every entry of {@code environment}. Returns how many it killed.
     */
    static int anywhere(int port, Map<String, String> environment) {
        Set<String> inodes = ProcFs.listeningInodes(port);
        if (inodes.isEmpty()) {
            return 0;
        }
        long self = ProcessHandle.current().pid();
        // Only a process that carries the instance's own environment (its private TMPDIR): the
        // port may belong to someone else's server by now.
        List<String> marks = environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        List<ProcessHandle> holders = ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self && ProcFs.holdsAny(h.pid(), inodes) && ProcFs.carries(h.pid(), marks)).toList();
        ProcessTree.kill(holders);
        return holders.size();
    }
}
