package dev.flywheel.server;

/** Lets tests outside the package run the demo against a server they started. */
public final class DemoAccess {

    private DemoAccess() {}

    public static String run(Main.Running running) {
        return Demo.run(running);
    }
}
