package dev.flywheel.core.engine;

import dev.flywheel.api.v1.Job;
import dev.flywheel.core.job.JobStatus;
import dev.flywheel.core.store.JobStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * An in-memory {@link JobStore} for the engine tests: a map of jobs with a compare-and-set on {@code version},
 * plus hooks to simulate what MongoDB and the API do to the engine — another writer committing just before a CAS,
 * a CAS failing with an exception, and CAS answers held back until the test releases them.
 * <p>Thread-safe (every method is synchronized) so it can also back a concurrent test; futures are completed
 * outside the lock, so callbacks may call back into the store.
 */
final class FakeJobStore implements JobStore {

    private static final Set<JobStatus> ACTIVE = EnumSet.of(JobStatus.PENDING, JobStatus.RUNNING, JobStatus.CANCELLING);

    private final Map<String, Job> jobs = new LinkedHashMap<>(); // insertion order = oldest first
    private final List<Job> casAttempts = new ArrayList<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private int nextId;
    private int successfulCas;

    /** Runs (once per CAS, before the version is compared) to let "someone else" change the stored job. */
    private UnaryOperator<Job> concurrentWriter;
    private int concurrentWrites;
    private final Deque<RuntimeException> casFailures = new ArrayDeque<>();
    private RuntimeException casThrowsSynchronously;
    private boolean holdCas;
    private Executor async;

    private record Held(CompletableFuture<Boolean> future, boolean result) {}

    // ---- test controls

    /** Stores {@code job} as is (as another writer or the API would have). */
    synchronized void put(Job job) {
        jobs.put(job.getId(), job);
    }

    synchronized Job stored(String id) {
        return jobs.get(id);
    }

    synchronized void remove(String id) {
        jobs.remove(id);
    }

    /** Every job handed to {@link #compareAndSet}, successful or not. */
    synchronized List<Job> casAttempts() {
        return List.copyOf(casAttempts);
    }

    /** How many CAS calls replaced the stored job. */
    synchronized int successfulCas() {
        return successfulCas;
    }

    /** Forgets pending concurrent writes, CAS failures and holds (held futures stay held until released). */
    synchronized void clearHooks() {
        concurrentWrites = 0;
        casFailures.clear();
        casThrowsSynchronously = null;
        holdCas = false;
    }

    /** Before each of the next {@code times} CAS calls, the stored job is replaced by {@code change(stored)}. */
    synchronized void beforeNextCas(int times, UnaryOperator<Job> change) {
        concurrentWrites = times;
        concurrentWriter = change;
    }

    /** The next CAS completes exceptionally with {@code error} and changes nothing. */
    synchronized void failNextCas(RuntimeException error) {
        casFailures.add(error);
    }

    /** The next CAS throws {@code error} from the call itself instead of returning a future. */
    synchronized void throwOnNextCas(RuntimeException error) {
        casThrowsSynchronously = error;
    }

    /**
     * While held, a CAS is decided (and, if it matches, applied: the write is durable) at once, but its future is
     * only completed by {@link #releaseCas()} — like a database that acknowledges late.
     */
    synchronized void holdCas(boolean hold) {
        holdCas = hold;
    }

    /** When set, the futures of {@link #get} and {@link #compareAndSet} complete on {@code executor}. */
    synchronized void completeOn(Executor executor) {
        async = executor;
    }

    synchronized int heldCount() {
        return held.size();
    }

    /** Completes the oldest held CAS future. */
    void releaseCas() {
        Held h;
        synchronized (this) {
            h = held.removeFirst();
        }
        h.future().complete(h.result());
    }

    // ---- JobStore

    @Override
    public synchronized String newId() {
        return String.format("%024x", ++nextId);
    }

    @Override
    public boolean isValidId(String id) {
        return id != null && id.matches("[0-9a-f]{24}");
    }

    @Override
    public synchronized CompletableFuture<Created> create(Job job, String requestFingerprint) {
        jobs.put(job.getId(), job);
        return CompletableFuture.completedFuture(new Created(job, true));
    }

    @Override
    public synchronized CompletableFuture<Optional<Job>> get(String id) {
        return answer(Optional.ofNullable(jobs.get(id)));
    }

    private <T> CompletableFuture<T> answer(T value) {
        return async == null ? CompletableFuture.completedFuture(value) : CompletableFuture.supplyAsync(() -> value, async);
    }

    @Override
    public CompletableFuture<Page> list(Filter filter, int pageSize, String pageToken) {
        throw new UnsupportedOperationException();
    }

    /** Like the real store: only pending, running and cancelling jobs, oldest first. */
    @Override
    public CompletableFuture<Void> forEachActive(Consumer<Job> each) {
        List<Job> active;
        synchronized (this) {
            active = jobs.values().stream().filter(j -> ACTIVE.contains(JobStatus.of(j.getStatus()))).toList();
        }
        try {
            active.forEach(each);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(Job next) {
        CompletableFuture<Boolean> future;
        boolean result;
        synchronized (this) {
            casAttempts.add(next);
            if (casThrowsSynchronously != null) {
                RuntimeException e = casThrowsSynchronously;
                casThrowsSynchronously = null;
                throw e;
            }
            if (!casFailures.isEmpty()) {
                return CompletableFuture.failedFuture(casFailures.removeFirst());
            }
            if (concurrentWrites > 0) {
                concurrentWrites--;
                Job stored = jobs.get(next.getId());
                if (stored != null) {
                    jobs.put(stored.getId(), concurrentWriter.apply(stored));
                }
            }
            Job stored = jobs.get(next.getId());
            result = stored != null && stored.getVersion() == next.getVersion() - 1;
            if (result) {
                jobs.put(next.getId(), next);
                successfulCas++;
            }
            if (!holdCas) {
                return answer(result);
            }
            future = new CompletableFuture<>();
            held.add(new Held(future, result));
        }
        return future;
    }

    @Override
    public synchronized CompletableFuture<Boolean> delete(String id) {
        return CompletableFuture.completedFuture(jobs.remove(id) != null);
    }

    @Override
    public AutoCloseable watch(String id, Consumer<Optional<Job>> onChange) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
    }
}
