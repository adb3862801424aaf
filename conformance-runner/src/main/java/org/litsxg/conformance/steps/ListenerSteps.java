package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.Unimplemented;

/**
 * Steps about the sockets the server's processes listen on, read from /proc on Linux: the client
 * port and nothing else.
 */
public final class ListenerSteps {

    private final ScenarioContext ctx;

    public ListenerSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    @Then("the server's processes listen on no socket but the client port")
    public void onlyClientPort() {
        ServerInstance s = ctx.server();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc.resolve("net"))) {
            throw new Unimplemented("the kit reads listening sockets from /proc, which this system lacks");
        }
        ProcessHandle root = ProcessHandle.of(s.current().pid()).orElseThrow(() ->
                ctx.failure("the server process is running", "it is gone"));
        Set<Long> inodes = new HashSet<>();
        Stream.concat(Stream.of(root), root.descendants()).forEach(h -> inodes.addAll(socketInodes(h.pid())));
        List<String> extra = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            for (String[] f : rows(proc.resolve("net").resolve(table))) {
                if (f.length > 9 && inodes.contains(Long.parseLong(f[9])) && f[3].equals("0A")) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    if (port != s.port()) {
                        extra.add(table + " listener on port " + port);
                    }
                }
            }
        }
        for (String table : List.of("udp", "udp6", "raw", "raw6")) {
            for (String[] f : rows(proc.resolve("net").resolve(table))) {
                if (f.length > 9 && inodes.contains(Long.parseLong(f[9]))) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    extra.add(table + " socket on port " + port);
                }
            }
        }
        for (String[] f : rows(proc.resolve("net").resolve("unix"))) {
            // Num RefCount Protocol Flags Type St Inode [Path]; flag 0x10000 = listening.
            if (f.length > 6 && inodes.contains(Long.parseLong(f[6]))
                    && (Long.parseLong(f[3], 16) & 0x10000) != 0) {
                extra.add("unix socket listening" + (f.length > 7 ? " at " + f[7] : ""));
            }
        }
        ctx.check(extra.isEmpty(), "the server's processes listen only on TCP port " + s.port(), String.join("; ", extra));
    }

    private static Set<Long> socketInodes(long pid) {
        Set<Long> out = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // The descriptor closed meanwhile.
                }
            });
        } catch (IOException ignored) {
            // The process ended meanwhile.
        }
        return out;
    }

    private static List<String[]> rows(Path table) {
        try {
            return Files.readAllLines(table).stream().skip(1).map(l -> l.trim().split("\\s+")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
