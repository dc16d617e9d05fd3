package dev.flywheel.core.engine;

/**
 * How the API tells the engine about a committed change right away. Only a shortcut: the engine's reconciler
 * finds every unfinished job in MongoDB by itself, so a lost notice delays a job but never loses it.
 */
public interface EngineNotifier {

    /** A job was created (or should carry on). */
    void wake(String jobId);

    /** A cancel was committed for the job. */
    void cancel(String jobId);

    EngineNotifier NONE = new EngineNotifier() {
        @Override
        public void wake(String jobId) {
        }

        @Override
        public void cancel(String jobId) {
        }
    };
}
