package dev.flywheel.clients.nemo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static dev.flywheel.clients.nemo.CommonTypes.list;
import static dev.flywheel.clients.nemo.CommonTypes.require;

/** OpenAI-compatible inference wire types served by the NIM proxy (nemo-api.md §5). */
public final class InferenceTypes {

    private InferenceTypes() {
    }

    /** {@code GET /v1/models}: not paginated. */
    public record ModelList(String object, List<ModelCard> data) {
        public ModelList {
            data = list(require(data, "data"));
        }

        public boolean contains(String modelId) {
            return data.stream().anyMatch(m -> m.id().equals(modelId));
        }
    }

    /** {@code parent} is the base model for a LoRA adapter (NIM/vLLM extension). */
    public record ModelCard(String id, String object, Long created, String ownedBy, String root, String parent) {
        public ModelCard {
            require(id, "id");
        }
    }

    /**
     * A chat message. {@code content} is text or null (tool calls); {@code tool_calls[].function.arguments} is a
     * JSON string on the wire but kept as a tree because logged datasets often hold an object.
     */
    public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
        public ChatMessage {
            require(role, "role");
        }

        public static ChatMessage of(String role, String content) {
            return new ChatMessage(role, content, null, null, null);
        }
    }

    public record ToolCall(String id, String type, FunctionCall function) {
        public ToolCall {
            require(function, "function");
        }
    }

    public record FunctionCall(String name, JsonNode arguments) {
        public FunctionCall {
            require(name, "name");
        }
    }

    /**
     * {@code POST /v1/chat/completions}. {@code tools} are OpenAI tool definitions; {@code tool_choice} is
     * {@code "auto"}, {@code "required"} or an object; {@code nvext} passes NIM extensions through.
     */
    public record ChatCompletionRequest(String model, List<ChatMessage> messages, List<JsonNode> tools,
                                        JsonNode toolChoice, Double temperature, Double topP, Integer maxTokens,
                                        Boolean stream, JsonNode nvext) {
        public ChatCompletionRequest {
            require(model, "model");
            messages = list(require(messages, "messages"));
            if (Boolean.TRUE.equals(stream)) {
                throw new IllegalArgumentException("streaming is not supported by this client");
            }
        }

        public static ChatCompletionRequest of(String model, List<ChatMessage> messages) {
            return new ChatCompletionRequest(model, messages, null, null, null, null, null, null, null);
        }
    }

    public record ChatCompletion(String id, String object, Long created, String model, List<Choice> choices,
                                 Usage usage) {
        public ChatCompletion {
            choices = list(require(choices, "choices"));
        }

        /** The first choice's message, or null when there is none. */
        public ChatMessage firstMessage() {
            return choices.isEmpty() ? null : choices.get(0).message();
        }
    }

    public record Choice(Integer index, String finishReason, ChatMessage message) {
        public Choice {
            require(message, "message");
        }
    }

    public record Usage(Integer promptTokens, Integer completionTokens, Integer totalTokens) {
    }

    /** {@code POST /v1/embeddings}; {@code input_type} is {@code query} or {@code passage} for NeMo Retriever NIMs. */
    public record EmbeddingRequest(String model, List<String> input, String inputType, String truncate) {
        public EmbeddingRequest {
            require(model, "model");
            input = list(require(input, "input"));
        }
    }

    public record EmbeddingResponse(String object, List<Embedding> data, String model, Usage usage) {
        public EmbeddingResponse {
            data = list(require(data, "data"));
        }
    }

    public record Embedding(Integer index, float[] embedding, String object) {
        public Embedding {
            require(embedding, "embedding");
        }
    }
}
