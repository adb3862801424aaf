package org.litsxg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench queues}: the memory of offline queues on the Litsxg reference server.
 * Registers {@code --recipients} names and disconnects them, then {@code --senders} clients send
 * {@code --per-recipient} messages of {@code --size} bytes to each (every one answered
 * {@code OK queued}); the server's live heap after a forced GC, before and after, divided by the
 * messages queued is the memory per queued message; with {@code --points} the time and memory
 * are also read as the queues grow to the cap ({@code --curve}), and one message more than the
 * cap must be refused. Then the recipients reconnect and the time
 * until every queued message arrived gives the drain rate. ngircd has no counterpart (IRC drops a
 * message to an absent nick with {@code 401}), so there is no ratio.
 */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = "Memory per queued message for offline recipients (Litsxg only).")
public final class QueuesBench extends Benchmark {
    @Option(names = "--recipients", description = "Offline recipients (default: ${DEFAULT-VALUE}).")
    int recipients = 10_000;

    @Option(names = "--per-recipient", description = "Messages queued for each, the server's cap (--max-queued) too "
            + "(default: ${DEFAULT-VALUE}, the server's default cap).")
    int perRecipient = 1000;

    @Option(names = "--points", description = "Read time and memory this many times as the queues grow (default: ${DEFAULT-VALUE}).")
    int points = 10;

    @Option(names = "--curve", paramLabel = "FILE", description = "Append one row per point (queued, seconds, heap, RSS) to this CSV file.")
    Path curve;

    @Option(names = "--senders", description = "Sending clients (default: ${DEFAULT-VALUE}).")
    int senders = 100;

    @Mixin
    BenchOptions.MessageSize message = new BenchOptions.MessageSize();

    @Mixin
    BenchOptions.Timeout timeout = new BenchOptions.Timeout(300);

    @Mixin
    BenchOptions.Csv csv = new BenchOptions.Csv();

    private void writeCurve(int perRecipientSoFar, long queued, double seconds, long heapKib, long rssKib) throws IOException {
        if (curve == null) {
            return;
        }
        String row = String.join(",", String.valueOf(recipients), String.valueOf(perRecipientSoFar), String.valueOf(queued),
                String.format("%.2f", seconds), String.valueOf(heapKib), String.valueOf(rssKib), LoadBench.loadavg().split(" ")[0]);
        BenchOptions.appendRow(curve, "recipients,per_recipient,queued,queue_s,heap_kib,rss_kib,loadavg", row);
    }

    @Override
    public Integer call() throws Exception {
        if (recipients < 1 || perRecipient < 1 || senders < 1 || points < 1 || points > perRecipient) {
            throw usage("need --recipients, --per-recipient, --senders >= 1, 1 <= --points <= --per-recipient");
        }
        BenchServer.Settings settings = new BenchServer.Settings(servers, recipients + senders + 64, perRecipient,
                Math.max(60, timeout.seconds), 60);
        long total = (long) recipients * perRecipient;
        System.out.printf("bench queues: %d offline recipients x %d messages of %d bytes = %d queued, from %d senders; load average %s%n",
                recipients, perRecipient, message.bytes, total, senders, LoadBench.loadavg());
        servers.printJvmOptions();
        try (BenchServer server = BenchServer.start(BenchServer.Kind.LITSXG, settings);
             LoadEngine first = new LoadEngine(Dialect.LITSXG, message.bytes, "q");
             LoadEngine sending = new LoadEngine(Dialect.LITSXG, message.bytes, "s")) {
            long registered = first.connect(server.address, recipients, List.of(), 64, timeout.seconds);
            first.close(); // the recipients go offline
            long sendersUp = sending.connect(server.address, senders, List.of(), 64, timeout.seconds);
            sending.pingAll(timeout.seconds); // the server has seen every recipient leave by now
            System.out.printf("registered %d recipients (now offline) and %d senders%n", registered, sendersUp);
            long heap0 = server.heapAfterGcKib();
            long rss0 = server.rssKib();
            // The queues grow to the cap in --points steps; after each, the time spent queueing so
            // far and the memory (a forced GC's time is not counted as queueing time).
            long queued = 0;
            double queueSeconds = 0;
            long heap1 = heap0;
            long rss1 = rss0;
            writeCurve(0, 0, 0, heap0, rss0);
            for (int point = 1; point <= points; point++) {
                int upTo = (int) ((long) perRecipient * point / points);
                int from = (int) ((long) perRecipient * (point - 1) / points);
                long t0 = System.nanoTime();
                queued += sending.queueFor("q", recipients, upTo - from, 4 * senders, timeout.seconds);
                queueSeconds += (System.nanoTime() - t0) / 1e9;
                heap1 = server.heapAfterGcKib();
                rss1 = server.rssKib();
                writeCurve(upTo, queued, queueSeconds, heap1, rss1);
            }
            // One more message to a full queue must be refused (the cap holds).
            long errorsBefore = sending.errors();
            long overCap = sending.queueFor("q", 1, 1, 1, timeout.seconds);
            boolean capHeld = overCap == 0 && sending.errors() == errorsBefore + 1;
            System.out.printf("one more message to a full queue: %s%n", capHeld ? "refused (the cap holds)"
                    : "NOT refused (queued " + overCap + ")");
            double heapPer = (heap1 - heap0) * 1024.0 / Math.max(1, queued);
            double rssPer = (rss1 - rss0) * 1024.0 / Math.max(1, queued);
            System.out.printf("queued %d of %d in %.1f s (%.0f msg/s); errors %d %s%n", queued, total, queueSeconds,
                    queued / queueSeconds, sending.errors(), sending.firstErrors());
            System.out.printf("live heap after GC %d -> %d KiB, RSS %d -> %d KiB: per queued message %.0f bytes of heap, %.0f of RSS%n",
                    heap0, heap1, rss0, rss1, heapPer, rssPer);
            long t1 = System.nanoTime();
            long drained;
            try (LoadEngine back = new LoadEngine(Dialect.LITSXG, message.bytes, "q")) {
                back.connect(server.address, recipients, List.of(), 64, timeout.seconds);
                drained = back.awaitReceived(queued, timeout.seconds);
            }
            double drainSeconds = (System.nanoTime() - t1) / 1e9;
            long heap2 = server.heapAfterGcKib();
            System.out.printf("recipients back: %d of %d queued messages delivered in %.1f s (%.0f msg/s, reconnecting included); "
                    + "live heap after GC %d KiB%n", drained, queued, drainSeconds, drained / drainSeconds, heap2);
            if (csv.given()) {
                String header = "recipients,per_recipient,size,queued,queue_s,heap0_kib,heap1_kib,rss0_kib,rss1_kib,"
                        + "heap_per_msg_bytes,rss_per_msg_bytes,drained,drain_s,heap2_kib,loadavg";
                csv.append(header, String.join(",", String.valueOf(recipients), String.valueOf(perRecipient),
                        String.valueOf(message.bytes), String.valueOf(queued), String.format("%.1f", queueSeconds), String.valueOf(heap0),
                        String.valueOf(heap1), String.valueOf(rss0), String.valueOf(rss1), String.format("%.0f", heapPer),
                        String.format("%.0f", rssPer), String.valueOf(drained), String.format("%.1f", drainSeconds),
                        String.valueOf(heap2), LoadBench.loadavg().split(" ")[0]));
            }
            return queued == total && drained == queued && capHeld ? BenchMain.OK : BenchMain.FAILED;
        }
    }
}
