package dev.descartes.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Collectors;

/** Reads request bodies: bounded in size, strict JSON (or YAML) with unknown fields refused. */
final class Bodies {

  static final ObjectMapper JSON = strict(new ObjectMapper());
  static final ObjectMapper YAML = strict(new YAMLMapper());

  private Bodies() {}

  private static ObjectMapper strict(ObjectMapper m) {
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    m.configure(JsonParser.Feature.AUTO_CLOSE_SOURCE, true);
    return m;
  }

  /** At most {@code limit} bytes of {@code in}; 413 beyond. */
  static byte[] read(InputStream in, int limit) throws IOException {
    byte[] body = in.readNBytes(limit + 1);
    if (body.length > limit) {
      throw new ApiException(
          413,
          "too_large",
          "the request body is larger than "
              + limit
              + " bytes; send a smaller one (large contexts belong in files the agent reads)");
    }
    return body;
  }

  /** {@code body} bound to {@code type}; 400 with what was wrong otherwise. */
  static <T> T parse(byte[] body, Class<T> type, boolean yaml) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request body is empty; send a JSON object");
    }
    try {
      T value = (yaml ? YAML : JSON).readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("the request body is null; send a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(
          path(e)
              + "unknown field '"
              + e.getPropertyName()
              + "'; known fields: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw ApiException.badRequest(path(e) + cause.getMessage());
    } catch (InvalidFormatException e) {
      throw ApiException.badRequest(
          path(e)
              + "cannot read '"
              + e.getValue()
              + "' as "
              + e.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT));
    } catch (MismatchedInputException e) {
      throw ApiException.badRequest(path(e) + "wrong type: " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "malformed "
              + (yaml ? "YAML" : "JSON")
              + " at line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ": "
              + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."));
    return p.isEmpty() ? "" : p + ": ";
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
