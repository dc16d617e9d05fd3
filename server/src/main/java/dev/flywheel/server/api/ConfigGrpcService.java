package dev.flywheel.server.api;

import dev.flywheel.server.auth.Callers;
import dev.flywheel.api.v1.ConfigServiceGrpc;
import dev.flywheel.api.v1.DeleteConfigRequest;
import dev.flywheel.api.v1.DeleteConfigResponse;
import dev.flywheel.api.v1.GetConfigRequest;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.ListConfigsResponse;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.api.v1.PutConfigRequest;
import dev.flywheel.core.config.JobConfigs;
import dev.flywheel.core.error.FieldViolation;
import dev.flywheel.core.error.FlywheelException;
import dev.flywheel.core.job.ConfigRef;
import dev.flywheel.core.store.ConfigStore;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * ConfigService: named, versioned job configurations. A configuration is checked on put as it would be
 * used, layered over the server's defaults, so a bad one is refused before any job can pick it up.
 */
public final class ConfigGrpcService extends ConfigServiceGrpc.ConfigServiceImplBase {

    private static final int MAX_PAGE_SIZE = 1000;

    private final ConfigStore configs;
    private final JobConfig defaults;

    public ConfigGrpcService(ConfigStore configs, JobConfig defaults) {
        this.configs = configs;
        this.defaults = defaults;
    }

    @Override
    public void putConfig(PutConfigRequest request, StreamObserver<NamedConfig> response) {
        FlywheelGrpcService.replyWrite(() -> {
            Callers.requireAdmin(); // configurations are admin only
            List<FieldViolation> violations = new ArrayList<>();
            if (!ConfigRef.isValidName(request.getName())) {
                violations.add(new FieldViolation("name", "must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit"));
            }
            if (!request.hasConfig()) {
                violations.add(new FieldViolation("config", "is required"));
            } else {
                violations.addAll(JobConfigs.validate(JobConfigs.merge(defaults, request.getConfig()), "config."));
            }
            if (request.getDescription().length() > 1000) {
                violations.add(new FieldViolation("description", "must be at most 1000 characters"));
            }
            if (!violations.isEmpty()) {
                throw FlywheelException.invalid(violations);
            }
            return configs.put(request.getName(), request.getConfig(), request.getDescription());
        }, response);
    }

    @Override
    public void getConfig(GetConfigRequest request, StreamObserver<NamedConfig> response) {
        FlywheelGrpcService.replyTo(() -> {
            Callers.requireAdmin();
            ConfigRef ref = ConfigRef.parse("name", request.getName());
            return configs.get(ref).thenApply(found -> found.orElseThrow(
                    () -> FlywheelException.notFound("configuration " + ref + " not found")));
        }, response);
    }

    @Override
    public void listConfigs(ListConfigsRequest request, StreamObserver<ListConfigsResponse> response) {
        FlywheelGrpcService.replyTo(() -> {
            Callers.requireAdmin();
            if (!request.getName().isEmpty() && !ConfigRef.isValidName(request.getName())) {
                throw FlywheelException.invalid("name", "is not a configuration name");
            }
            if (request.getPageSize() < 0 || request.getPageSize() > MAX_PAGE_SIZE) {
                throw FlywheelException.invalid("page_size", "must be between 0 and " + MAX_PAGE_SIZE);
            }
            if (!request.getPageToken().isEmpty() && ConfigRef.parse("page_token", request.getPageToken()).isLatest()) {
                throw FlywheelException.invalid("page_token", "is not a token from a previous page");
            }
            int pageSize = request.getPageSize() == 0 ? 50 : request.getPageSize();
            return configs.list(request.getName(), pageSize, request.getPageToken()).thenApply(page ->
                    ListConfigsResponse.newBuilder().addAllConfigs(page.configs()).setNextPageToken(page.nextPageToken()).build());
        }, response);
    }

    @Override
    public void deleteConfig(DeleteConfigRequest request, StreamObserver<DeleteConfigResponse> response) {
        FlywheelGrpcService.replyWrite(() -> {
            Callers.requireAdmin();
            return configs.delete(ConfigRef.parse("name", request.getName()))
                    .thenApply(deleted -> DeleteConfigResponse.newBuilder().addAllDeleted(deleted).build());
        }, response);
    }
}
