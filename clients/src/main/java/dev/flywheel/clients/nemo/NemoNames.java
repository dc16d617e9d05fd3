package dev.flywheel.clients.nemo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic NeMo resource names: the same job, stage, candidate and attempt always give the same name, and two
 * jobs never share one.
 *
 * <p>Why: a create that timed out can be repeated and, if the first one landed, the repeat hits "already exists" and
 * adopts it — so creates are safe to retry and a restarted job re-attaches to what it made. The reference's names
 * depend only on the model ({@code customized-<model>}, deployment = model name), so two runs collide (anchor §11.2
 * item 16); here every name carries a job tag.
 *
 * <p>Format: {@code fw-<jobtag>-<stage>-<candidate-slug>-a<attempt>}, e.g. {@code fw-3f9c2a1b-nim-llama-3-2-1b-instruct-a1}.
 * <ul>
 *   <li>{@code jobtag}: the job id itself when it is 1–8 chars of {@code [a-z0-9]}, else the first 8 hex digits of its
 *       SHA-256 (Mongo ObjectIds start with a timestamp, so a prefix would collide for jobs made in the same second).</li>
 *   <li>{@code candidate-slug}: the model id lower-cased, runs of other characters turned into {@code -}
 *       ({@code meta/llama-3.2-1b-instruct} → {@code meta-llama-3-2-1b-instruct}); when too long, cut and suffixed with
 *       4 hex digits of its hash so that distinct candidates stay distinct.</li>
 *   <li>NeMo rules kept: lower-case letters, digits and {@code -}, starting with a letter, no {@code /} (nemo-api.md
 *       §4.2); at most 63 characters (a DNS label); deployment names at most 36, because DMS derives Kubernetes
 *       object names {@code modeldeployment-<namespace>-<name>} from them and long names leave deployments stuck
 *       in pending (embedding-job.md §4).</li>
 *   <li>Customization configs follow NeMo's {@code <name>@v<semver>+<suffix>} convention:
 *       {@code fw-<jobtag>-<slug>@v1.0.0+a<attempt>}; these go into URL paths raw ({@link NemoPaths}).</li>
 * </ul>
 */
public final class NemoNames {

    public static final int MAX_NAME_LENGTH = 63;
    public static final int MAX_DEPLOYMENT_NAME_LENGTH = 36;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*[a-z0-9]");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");
    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9]{0,9}");
    private static final Pattern SHORT_ID = Pattern.compile("[a-z0-9]{1,8}");

    private NemoNames() {
    }

    /** The 8-character tag that identifies a job inside names. */
    public static String jobTag(String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("job id is required");
        }
        return SHORT_ID.matcher(jobId).matches() ? jobId : sha256Hex(jobId).substring(0, 8);
    }

    /** {@code fw-<jobtag>-<stage>-<slug>-a<attempt>}, at most {@value #MAX_NAME_LENGTH} characters. */
    public static String resource(String jobId, String stage, String candidate, int attempt) {
        return build(jobId, stage, candidate, attempt, MAX_NAME_LENGTH);
    }

    /** A DMS deployment name: like {@link #resource} but at most {@value #MAX_DEPLOYMENT_NAME_LENGTH} characters. */
    public static String deployment(String jobId, String stage, String candidate, int attempt) {
        return build(jobId, stage, candidate, attempt, MAX_DEPLOYMENT_NAME_LENGTH);
    }

    /** A Customizer config name: {@code fw-<jobtag>-<slug>@v1.0.0+a<attempt>}. */
    public static String customizationConfig(String jobId, String candidate, int attempt) {
        String suffix = "@v1.0.0+a" + checkAttempt(attempt);
        String head = "fw-" + jobTag(jobId) + "-";
        return head + fit(slug(candidate), MAX_NAME_LENGTH - head.length() - suffix.length()) + suffix;
    }

    /**
     * The {@code output_model} of a customization job, {@code <namespace>/fw-<jobtag>-cust-<slug>-a<attempt>}; the
     * Customizer appends {@code @<job id>}.
     */
    public static String outputModel(String namespace, String jobId, String candidate, int attempt) {
        return namespace + "/" + resource(jobId, "cust", candidate, attempt);
    }

    /** A dataset / Data Store repo name for one job: {@code fw-<jobtag>-<kind>-a<attempt>} (kind: eval, icl, train). */
    public static String dataset(String jobId, String kind, int attempt) {
        String k = checkStage(kind);
        return "fw-" + jobTag(jobId) + "-" + k + "-a" + checkAttempt(attempt);
    }

    /** Lower-case {@code [a-z0-9-]} form of a model id; never empty, starts with a letter. */
    public static String slug(String candidate) {
        if (candidate == null || candidate.isBlank()) {
            throw new IllegalArgumentException("candidate is required");
        }
        String s = candidate.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.isEmpty()) {
            s = "m" + sha256Hex(candidate).substring(0, 6);
        } else if (!Character.isLetter(s.charAt(0))) {
            s = "m" + s;
        }
        return s;
    }

    /** Whether {@code name} follows the rules above (what we create; NeMo itself accepts more, e.g. {@code @}). */
    public static boolean isValidName(String name) {
        return name != null && name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches()
                && !name.contains("--");
    }

    public static boolean isValidNamespace(String namespace) {
        return namespace != null && namespace.length() <= MAX_NAME_LENGTH && NAMESPACE.matcher(namespace).matches();
    }

    private static String build(String jobId, String stage, String candidate, int attempt, int max) {
        String head = "fw-" + jobTag(jobId) + "-" + checkStage(stage) + "-";
        String tail = "-a" + checkAttempt(attempt);
        String name = head + fit(slug(candidate), max - head.length() - tail.length()) + tail;
        assert name.length() <= max && isValidName(name) : name;
        return name;
    }

    /** The slug itself if it fits, else a cut prefix plus 4 hex digits of the slug's hash. */
    private static String fit(String slug, int room) {
        if (room < 6) {
            throw new IllegalArgumentException("no room for the candidate in a name");
        }
        if (slug.length() <= room) {
            return slug;
        }
        String cut = slug.substring(0, room - 5).replaceAll("-+$", "");
        return cut + "-" + sha256Hex(slug).substring(0, 4);
    }

    private static String checkStage(String stage) {
        if (stage == null || !STAGE.matcher(stage).matches()) {
            throw new IllegalArgumentException("stage must be 1-10 chars of [a-z0-9] starting with a letter: " + stage);
        }
        return stage;
    }

    private static int checkAttempt(int attempt) {
        if (attempt < 1 || attempt > 999) {
            throw new IllegalArgumentException("attempt must be in 1..999: " + attempt);
        }
        return attempt;
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
