package org.litsxg.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.litsxg.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code litsxg bench queues}: the memory of offline queues on the Litsxg reference server.
 * Registers {@code --recipients} names and disconnects them, then {@code --senders} clients send
 * {@code --per-recipient} messages of {@code --size} bytes to each (every one answered
 * {@code OK queued}); the server's live heap after a forced GC, before and after, divided by the
 * messages queued is the memory per queued message. Then the recipients reconnect and the time
 * until every queued message arrived gives the drain rate. ngircd has no counterpart (IRC drops a
 * message to an absent nick with {@code 401}), so there is no ratio.
 */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = "Memory per queued message for offline recipients (Litsxg only).")
public final class QueuesBench implements Callable<Integer> {
    @Option(names = "--recipients", description = "Offline recipients (default: ${DEFAULT-VALUE}).")
    int recipients = 10_000;

    @Option(names = "--per-recipient", description = "Messages queued for each (default: ${DEFAULT-VALUE}).")
    int perRecipient = 100;

    @Option(names = "--senders", description = "Sending clients (default: ${DEFAULT-VALUE}).")
    int senders = 100;

    @Option(names = "--size", paramLabel = "BYTES", description = "Message text size (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Bound on each phase (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 300;

    @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "JVM option for the Litsxg server (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--csv", paramLabel = "FILE", description = "Append one row to this CSV file.")
    Path csv;

    @Override
    public Integer call() throws Exception {
        BenchServer.Settings settings = new BenchServer.Settings(jvmOptions, null, recipients + senders + 64,
                Math.max(1000, perRecipient), Math.max(60, timeoutSeconds), 60);
        long total = (long) recipients * perRecipient;
        System.out.printf("bench queues: %d offline recipients x %d messages of %d bytes = %d queued, from %d senders; load average %s%n",
                recipients, perRecipient, size, total, senders, LoadBench.loadavg());
        if (!jvmOptions.isEmpty()) {
            System.out.println("litsxg server JVM options: " + String.join(" ", jvmOptions));
        }
        try (BenchServer server = BenchServer.start(BenchServer.Kind.LITSXG, settings);
             LoadEngine first = new LoadEngine(Protocol.LITSXG, size, "q");
             LoadEngine sending = new LoadEngine(Protocol.LITSXG, size, "s")) {
            long registered = first.connect(server.address, recipients, List.of(), 64, timeoutSeconds);
            first.close(); // the recipients go offline
            long sendersUp = sending.connect(server.address, senders, List.of(), 64, timeoutSeconds);
            sending.pingAll(timeoutSeconds); // the server has seen every recipient leave by now
            System.out.printf("registered %d recipients (now offline) and %d senders%n", registered, sendersUp);
            long heap0 = server.heapAfterGcKib();
            long rss0 = server.rssKib();
            long t0 = System.nanoTime();
            long queued = sending.queueFor("q", recipients, perRecipient, 4 * senders, timeoutSeconds);
            double queueSeconds = (System.nanoTime() - t0) / 1e9;
            long heap1 = server.heapAfterGcKib();
            long rss1 = server.rssKib();
            double heapPer = (heap1 - heap0) * 1024.0 / Math.max(1, queued);
            double rssPer = (rss1 - rss0) * 1024.0 / Math.max(1, queued);
            System.out.printf("queued %d of %d in %.1f s (%.0f msg/s); errors %d %s%n", queued, total, queueSeconds,
                    queued / queueSeconds, sending.errors(), sending.firstErrors());
            System.out.printf("live heap after GC %d -> %d KiB, RSS %d -> %d KiB: per queued message %.0f bytes of heap, %.0f of RSS%n",
                    heap0, heap1, rss0, rss1, heapPer, rssPer);
            long t1 = System.nanoTime();
            long drained;
            try (LoadEngine back = new LoadEngine(Protocol.LITSXG, size, "q")) {
                back.connect(server.address, recipients, List.of(), 64, timeoutSeconds);
                drained = back.awaitReceived(queued, timeoutSeconds);
            }
            double drainSeconds = (System.nanoTime() - t1) / 1e9;
            long heap2 = server.heapAfterGcKib();
            System.out.printf("recipients back: %d of %d queued messages delivered in %.1f s (%.0f msg/s, reconnecting included); "
                    + "live heap after GC %d KiB%n", drained, queued, drainSeconds, drained / drainSeconds, heap2);
            if (csv != null) {
                boolean fresh = !Files.exists(csv) || Files.size(csv) == 0;
                String header = "recipients,per_recipient,size,queued,queue_s,heap0_kib,heap1_kib,rss0_kib,rss1_kib,"
                        + "heap_per_msg_bytes,rss_per_msg_bytes,drained,drain_s,heap2_kib,loadavg\n";
                String row = String.join(",", String.valueOf(recipients), String.valueOf(perRecipient), String.valueOf(size),
                        String.valueOf(queued), String.format("%.1f", queueSeconds), String.valueOf(heap0), String.valueOf(heap1),
                        String.valueOf(rss0), String.valueOf(rss1), String.format("%.0f", heapPer), String.format("%.0f", rssPer),
                        String.valueOf(drained), String.format("%.1f", drainSeconds), String.valueOf(heap2),
                        LoadBench.loadavg().split(" ")[0]) + "\n";
                Files.writeString(csv, (fresh ? header : "") + row, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return queued == total && drained == queued ? ExitCodes.OK : ExitCodes.FATAL;
        }
    }
}
