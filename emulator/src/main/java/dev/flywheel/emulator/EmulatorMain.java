package dev.flywheel.emulator;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the emulator as a process. Flags (or environment variables) — {@code --platform-port}
 * ({@code NEMO_EMULATOR_PLATFORM_PORT}, default 8000), {@code --nim-port} (…{@code _NIM_PORT}, 8001),
 * {@code --datastore-port} (…{@code _DATASTORE_PORT}, 8002), {@code --host} (…{@code _HOST}, 127.0.0.1),
 * {@code --seed} (…{@code _SEED}, 42), {@code --time-scale} (…{@code _TIME_SCALE}, 0.2: a flywheel run in about a
 * minute). Prints the three URLs and then {@code ready}.
 */
public final class EmulatorMain {
    private EmulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        // Before any logger exists: quiet defaults unless the user configured logback explicitly.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/flywheel/emulator/logback-emulator.xml");
        }
        Map<String, String> flags = new HashMap<>();
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: nemo-emulator [--platform-port=8000] [--nim-port=8001] "
                        + "[--datastore-port=8002] [--host=127.0.0.1] [--seed=42] [--time-scale=0.2]");
                return;
            }
            if (a.startsWith("--") && a.contains("=")) {
                flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                throw new IllegalArgumentException("Unknown argument " + a + " (use --name=value)");
            }
        }
        NemoEmulator nemo = NemoEmulator.builder()
                .bindHost(setting(flags, "host", "127.0.0.1"))
                .ports(Integer.parseInt(setting(flags, "platform-port", "8000")),
                        Integer.parseInt(setting(flags, "nim-port", "8001")),
                        Integer.parseInt(setting(flags, "datastore-port", "8002")))
                .seed(Long.parseLong(setting(flags, "seed", "42")))
                .timeScale(Double.parseDouble(setting(flags, "time-scale", "0.2")))
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            nemo.close();
            stopped.countDown();
        }));
        System.out.println("platform=" + nemo.platformUrl());
        System.out.println("nim=" + nemo.nimUrl());
        System.out.println("datastore=" + nemo.datastoreUrl());
        System.out.println("ready");
        System.out.flush();
        stopped.await();
    }

    private static String setting(Map<String, String> flags, String name, String dflt) {
        String v = flags.get(name);
        if (v == null) {
            v = System.getenv("NEMO_EMULATOR_" + name.toUpperCase().replace('-', '_'));
        }
        return v == null || v.isBlank() ? dflt : v;
    }
}
