package dev.flywheel.emulator.http;

/** A request handler; throw {@link ApiException} for NeMo-style error answers. */
@FunctionalInterface
public interface Handler {
    Reply handle(Call call);
}
