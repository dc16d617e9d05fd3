package dev.flywheel.actors;

/**
 * Marker for messages that may cross nodes (sharded entity commands): bound to Jackson CBOR in
 * {@code flywheel-cluster.conf}. Messages between a parent and its children never leave their node.
 */
public interface CborSerializable {
}
