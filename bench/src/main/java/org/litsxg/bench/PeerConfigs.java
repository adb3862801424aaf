package org.litsxg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The IRC peers' command lines, each with a configuration generated for the run in its
 * temporary directory, all alike: loopback only, no flood throttle, no ident or DNS look-ups,
 * no connection limits, no TLS. A copy of each configuration goes to {@code --config-dir}.
 */
final class PeerConfigs {

    private PeerConfigs() {
    }

    /**
     * ngircd in the foreground ({@code -n}) with a generated configuration: loopback only, PAM,
     * ident and DNS off, no per-IP connection cap, nicknames up to 31 characters, and
     * {@code MaxPenaltyTime = 0} so that its flood throttle does not distort throughput.
     */
    static List<String> ngircdCommand(BenchServer.Settings s, Path dir, int port) throws IOException {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(motd, PosixFilePermissions.fromString("rw-r--r--"));
        Path conf = dir.resolve("ngircd.conf");
        Files.writeString(conf, String.join("\n",
                "[Global]",
                "Name = bench.litsxg.local",
                "Info = litsxg bench",
                "Listen = 127.0.0.1",
                "Ports = " + port,
                "MotdFile = " + motd,
                "PidFile = " + dir.resolve("ngircd.pid"),
                "[Limits]",
                "MaxConnections = 0",
                "MaxConnectionsIP = 0",
                "MaxNickLength = 31",
                "MaxPenaltyTime = 0",
                "PingTimeout = 3600",
                "PongTimeout = 3600",
                "[Options]",
                "PAM = no",
                "Ident = no",
                "DNS = no",
                "") + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        s.options().keep("ngircd.conf", conf);
        return List.of(s.options().ngircd, "--nodaemon", "--config", conf.toString());
    }

    /**
     * InspIRCd 3 in the foreground with a generated configuration: one client listener on
     * loopback; one connect class for everyone with no per-IP or class limit
     * ({@code localmax}/{@code globalmax}/{@code limit}), no flood control (a command rate and
     * penalty threshold far beyond any run, {@code fakelag="no"}; the threshold is 10^6, not
     * more: with 10^9 the senders stalled, 28k msg/s instead of 128k with 300 clients,
     * presumably an overflow since InspIRCd multiplies it by 1,000), send and receive queues of
     * 64 MiB (a recipient under load must not be dropped), no DNS look-up
     * ({@code resolvehostnames="no"}; the ident module is not loaded, so no ident), pings an
     * hour apart, an accept backlog of 4096 and no clone check at connect. As root it needs
     * {@code --runasroot}.
     */
    static List<String> inspircdCommand(BenchServer.Settings s, Path dir, int port) throws IOException {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "");
        Path conf = dir.resolve("inspircd.conf");
        int limit = Math.max(1_000_000, s.maxConnections());
        Files.writeString(conf, String.join("\n",
                "<server name=\"bench.litsxg.local\" description=\"litsxg bench\" network=\"Bench\">",
                "<admin name=\"bench\" nick=\"bench\" email=\"bench@localhost\">",
                "<bind address=\"127.0.0.1\" port=\"" + port + "\" type=\"clients\">",
                "<pid file=\"" + dir.resolve("inspircd.pid") + "\">",
                "<connect name=\"bench\" allow=\"*\" timeout=\"3600\" pingfreq=\"3600\" hardsendq=\"64M\" softsendq=\"64M\""
                        + " recvq=\"64M\" threshold=\"1000000\" commandrate=\"1000000000\" fakelag=\"no\""
                        + " localmax=\"" + limit + "\" globalmax=\"" + limit + "\" limit=\"" + limit + "\""
                        + " maxconnwarn=\"no\" resolvehostnames=\"no\" useident=\"no\">",
                "<performance netbuffersize=\"65536\" somaxconn=\"4096\" softlimit=\"" + limit + "\" clonesonconnect=\"no\""
                        + " quietbursts=\"yes\">",
                "<limits maxnick=\"31\">",
                "<files motd=\"" + motd + "\">",
                "<log method=\"file\" type=\"* -USERINPUT -USEROUTPUT\" level=\"default\" target=\"" + dir.resolve("ircd.log") + "\">",
                ""), StandardCharsets.US_ASCII);
        s.options().keep("inspircd.conf", conf);
        return List.of(s.options().inspircd, "--nofork", "--runasroot", "--config=" + conf);
    }

    /**
     * Ergo (the Go IRC server) with a generated configuration: one plaintext listener on
     * loopback, no TLS; {@code fakelag} off, per-IP connection limits and throttling off, no
     * reverse DNS or ident, no IP cloaking, no history, a send queue of 64 MiB. NOT RUN on the
     * machine this was written on (no Ergo package in Debian 12; see BENCHMARKS.md), so this
     * configuration has not been exercised yet.
     */
    static List<String> ergoCommand(BenchServer.Settings s, Path dir, int port) throws IOException, InterruptedException {
        Path conf = dir.resolve("ergo.yaml");
        Files.writeString(conf, String.join("\n",
                "network:",
                "    name: Bench",
                "server:",
                "    name: bench.litsxg.local",
                "    listeners:",
                "        \"127.0.0.1:" + port + "\": {}",
                "    casemapping: ascii",
                "    enforce-utf8: false",
                "    lookup-hostnames: false",
                "    forward-confirm-hostnames: false",
                "    check-ident: false",
                "    max-sendq: 64M",
                "    relaymsg:",
                "        enabled: false",
                "    compatibility:",
                "        force-trailing: true",
                "        allow-truncation: true",
                "    ip-limits:",
                "        count: false",
                "        throttle: false",
                "    ip-cloaking:",
                "        enabled: false",
                "accounts:",
                "    authentication-enabled: false",
                "    registration:",
                "        enabled: false",
                "    nick-reservation:",
                "        enabled: false",
                "    multiclient:",
                "        enabled: false",
                "channels:",
                "    default-modes: +nt",
                "    registration:",
                "        enabled: false",
                "lock-file: \"" + dir.resolve("ircd.lock") + "\"",
                "datastore:",
                "    path: \"" + dir.resolve("ircd.db") + "\"",
                "    autoupgrade: true",
                "languages:",
                "    enabled: false",
                "limits:",
                "    nicklen: 32",
                "    identlen: 20",
                "    realnamelen: 150",
                "    channellen: 64",
                "    awaylen: 390",
                "    kicklen: 390",
                "    topiclen: 390",
                "    monitor-entries: 100",
                "    whowas-entries: 100",
                "    chan-list-modes: 100",
                "    registration-messages: 1024",
                "    multiline:",
                "        max-bytes: 0",
                "        max-lines: 0",
                "fakelag:",
                "    enabled: false",
                "history:",
                "    enabled: false",
                "logging:",
                "    -",
                "        method: stderr",
                "        type: \"* -userinput -useroutput\"",
                "        level: warn",
                ""), StandardCharsets.US_ASCII);
        s.options().keep("ergo.yaml", conf);
        // The datastore is created by `ergo initdb` (older versions do not create it on `run`).
        Process init = new ProcessBuilder(s.options().ergo, "initdb", "--conf", conf.toString(), "--quiet")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("initdb.log").toFile()).start();
        if (!init.waitFor(60, TimeUnit.SECONDS)) {
            init.destroyForcibly();
        }
        return List.of(s.options().ergo, "run", "--conf", conf.toString());
    }
}
