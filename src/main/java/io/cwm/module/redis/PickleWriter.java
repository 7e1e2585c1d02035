package io.cwm.module.redis;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A minimal pickle encoder (protocol 3) for the values a webhook carries: None, bool, int,
 * float, str, bytes, list, dict and tuple — what RQ's default serializer needs for a job's
 * {@code data}. No memo: the values form trees, never shared references or cycles.
 * Protocol 3 rather than 2 because it has a native bytes opcode (blob payloads); every Python 3
 * unpickler reads it.
 */
public final class PickleWriter {
  /** A Python tuple (a Java List would pickle as a list). */
  public record Tuple(List<Object> items) {
    public static Tuple of(Object... items) {
      return new Tuple(java.util.Arrays.asList(items));
    }
  }

  private static final int PROTOCOL = 3;
  private static final int BATCH = 1000;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private PickleWriter() {}

  /** The pickle of {@code value}. */
  public static byte[] dumps(Object value) {
    PickleWriter writer = new PickleWriter();
    writer.out.write(0x80);
    writer.out.write(PROTOCOL);
    writer.write(value);
    writer.out.write('.');
    return writer.out.toByteArray();
  }

  private void write(Object value) {
    if (value == null) {
      out.write('N');
    } else if (value instanceof Boolean bool) {
      out.write(bool ? 0x88 : 0x89);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      writeInt(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      writeLong(big);
    } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      writeFloat(((Number) value).doubleValue());
    } else if (value instanceof CharSequence text) {
      byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
      out.write('X');
      writeInt32(utf8.length);
      out.writeBytes(utf8);
    } else if (value instanceof Buffer buffer) {
      writeBytes(buffer.getBytes());
    } else if (value instanceof byte[] bytes) {
      writeBytes(bytes);
    } else if (value instanceof Tuple tuple) {
      writeTuple(tuple.items());
    } else if (value instanceof JsonArray array) {
      writeList(array.getList());
    } else if (value instanceof List<?> list) {
      writeList(list);
    } else if (value instanceof JsonObject object) {
      writeDict(object.getMap());
    } else if (value instanceof Map<?, ?> map) {
      writeDict(map);
    } else {
      throw new IllegalArgumentException("cannot pickle a " + value.getClass().getName());
    }
  }

  private void writeInt(long value) {
    if (value >= 0 && value <= 0xff) {
      out.write('K');
      out.write((int) value);
    } else if (value >= 0 && value <= 0xffff) {
      out.write('M');
      out.write((int) (value & 0xff));
      out.write((int) (value >> 8));
    } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
      out.write('J');
      writeInt32((int) value);
    } else {
      writeLong(BigInteger.valueOf(value));
    }
  }

  /** LONG1: a length byte, then the two's-complement bytes little-endian. */
  private void writeLong(BigInteger value) {
    byte[] bigEndian = value.toByteArray();
    if (bigEndian.length > 255) {
      throw new IllegalArgumentException("integer too large to pickle");
    }
    out.write(0x8a);
    out.write(bigEndian.length);
    for (int i = bigEndian.length - 1; i >= 0; i--) {
      out.write(bigEndian[i]);
    }
  }

  /** BINFLOAT: eight bytes, big-endian IEEE 754. */
  private void writeFloat(double value) {
    long bits = Double.doubleToLongBits(value);
    out.write('G');
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (bits >> shift) & 0xff);
    }
  }

  private void writeBytes(byte[] bytes) {
    if (bytes.length < 256) {
      out.write('C');
      out.write(bytes.length);
    } else {
      out.write('B');
      writeInt32(bytes.length);
    }
    out.writeBytes(bytes);
  }

  private void writeTuple(List<Object> items) {
    switch (items.size()) {
      case 0 -> out.write(')');
      case 1, 2, 3 -> {
        items.forEach(this::write);
        out.write(0x84 + items.size());
      }
      default -> {
        out.write('(');
        items.forEach(this::write);
        out.write('t');
      }
    }
  }

  private void writeList(List<?> list) {
    out.write(']');
    for (int start = 0; start < list.size(); start += BATCH) {
      out.write('(');
      for (Object item : list.subList(start, Math.min(list.size(), start + BATCH))) {
        write(item);
      }
      out.write('e');
    }
  }

  private void writeDict(Map<?, ?> map) {
    out.write('}');
    int inBatch = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (inBatch == 0) {
        out.write('(');
      }
      write(entry.getKey());
      write(entry.getValue());
      if (++inBatch == BATCH) {
        out.write('u');
        inBatch = 0;
      }
    }
    if (inBatch > 0) {
      out.write('u');
    }
  }

  private void writeInt32(int value) {
    out.write(value & 0xff);
    out.write((value >> 8) & 0xff);
    out.write((value >> 16) & 0xff);
    out.write((value >>> 24) & 0xff);
  }
}
