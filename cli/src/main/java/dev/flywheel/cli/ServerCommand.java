package dev.flywheel.cli;

import dev.flywheel.server.Main;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** {@code flywheel server}: the local stack (what is not configured externally) and the server, until Ctrl-C. */
@Command(name = "server", description = "Start the server on the embedded stack (MongoDB stand-in, Redis, Elasticsearch, NeMo "
        + "emulator); each piece configured externally (MONGODB_URL, REDIS_URL, ELASTICSEARCH_URL, NEMO_BASE_URL, ...) is used "
        + "instead. Runs until Ctrl-C.")
final class ServerCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Main.main(new String[] {"server"}); // prints the endpoints and "ready"; its shutdown hook stops everything
        new CountDownLatch(1).await();
        return ExitCodes.OK;
    }
}
