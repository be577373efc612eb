// NETCONF message framing over SSH (RFC 6242), on raw bytes. Messages are
// only decoded to text once complete: a packet or chunk boundary may fall
// inside a multibyte UTF-8 character, and decoding per packet would corrupt it.

export type Framing = "eom" | "chunked";

export const EOM = Buffer.from("]]>]]>", "utf8");
const END_OF_CHUNKS = Buffer.from("\n##\n", "utf8");
/** RFC 6242: chunk-size is 1..4294967295 */
const MAX_CHUNK = 4294967295;

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

export function encodeMessage(xml: string, framing: Framing): Buffer {
  const body = Buffer.from(xml, "utf8");
  if (framing === "eom") return Buffer.concat([body, EOM]);
  return Buffer.concat([Buffer.from(`\n#${body.length}\n`, "utf8"), body, END_OF_CHUNKS]);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a complete message; invalid UTF-8 is an error rather than U+FFFD. */
export function decodeMessage(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FramingError("a message is not valid UTF-8");
  }
}

/**
 * Splits a byte stream into messages. The framing can change between two
 * messages (after the hello exchange), so messages are pulled one at a time
 * with next(), and bytes after the current message stay buffered.
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  /** chunks of the chunked message being assembled */
  private chunks: Buffer[] = [];
  private assembled = 0;

  constructor(
    public framing: Framing = "eom",
    /** a bound on one message, so that a runaway peer cannot exhaust memory */
    private readonly maxMessageBytes = 256 * 1024 * 1024,
  ) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    if (this.framing === "eom" && this.buffer.length > this.maxMessageBytes) {
      throw new FramingError(`a message exceeds ${this.maxMessageBytes} bytes`);
    }
  }

  /** the next complete message, or null when more bytes are needed; throws FramingError on a protocol violation */
  next(): Buffer | null {
    return this.framing === "eom" ? this.nextEom() : this.nextChunked();
  }

  /** bytes received but not yet part of a returned message */
  get pending(): number {
    return this.buffer.length + this.assembled;
  }

  private nextEom(): Buffer | null {
    const end = this.buffer.indexOf(EOM);
    if (end < 0) return null;
    const message = this.buffer.subarray(0, end);
    this.buffer = this.buffer.subarray(end + EOM.length);
    return message;
  }

  private nextChunked(): Buffer | null {
    for (;;) {
      // a header is "\n#" then either "#\n" (end of message) or 1-10 digits then "\n"
      if (this.buffer.length < 3) return null;
      if (this.buffer[0] !== 0x0a || this.buffer[1] !== 0x23) {
        throw new FramingError(`expected a chunk header, got ${JSON.stringify(this.buffer.subarray(0, 12).toString("latin1"))}`);
      }
      if (this.buffer[2] === 0x23) {
        if (this.buffer.length < 4) return null;
        if (this.buffer[3] !== 0x0a) throw new FramingError("malformed end-of-chunks marker");
        if (this.chunks.length === 0) throw new FramingError("end-of-chunks marker without a chunk");
        const message = Buffer.concat(this.chunks);
        this.chunks = [];
        this.assembled = 0;
        this.buffer = this.buffer.subarray(4);
        return message;
      }
      let i = 2;
      while (i < this.buffer.length && i < 13 && isDigit(this.buffer[i])) i++;
      if (i === this.buffer.length && i < 13) return null; // digits may continue in the next packet
      if (this.buffer[i] !== 0x0a || i === 2 || this.buffer[2] === 0x30) {
        throw new FramingError(`malformed chunk header ${JSON.stringify(this.buffer.subarray(0, i + 1).toString("latin1"))}`);
      }
      const size = Number(this.buffer.subarray(2, i).toString("latin1"));
      if (size > MAX_CHUNK) throw new FramingError(`chunk size ${size} exceeds the maximum`);
      if (this.assembled + size > this.maxMessageBytes) throw new FramingError(`a message exceeds ${this.maxMessageBytes} bytes`);
      const start = i + 1;
      if (this.buffer.length < start + size) return null;
      this.chunks.push(this.buffer.subarray(start, start + size));
      this.assembled += size;
      this.buffer = this.buffer.subarray(start + size);
    }
  }
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}
