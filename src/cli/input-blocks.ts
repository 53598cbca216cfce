/**
 * The bytes of an input file as the check read them, so that the read that sends (which does not
 * check rows again) sends only rows the check saw as they are.
 */
import { createHash } from "node:crypto";
import { Transform } from "node:stream";

/**
 * The file is no longer what the scan checked: a read that sends stopped at the first block that
 * differs, and sent nothing from there on. Some chunks may have been sent before (exit 1).
 */
export class InputChangedError extends Error {
  override name = "InputChangedError";
}

/**
 * The input's bytes as the scan read them: a SHA-256 of each block of the read stream (64 KiB; a
 * file read again is read in the same blocks). The first read records them; a later read given
 * them passes a block on to the parser only if it is the recorded one, and fails with an
 * {@link InputChangedError} at the first that is not (a row changed, added or cut short on disk
 * since the scan), so that no row is sent that the scan did not check as it is.
 */
export class InputBlocks {
  private digests: string[] | undefined;
  private fileDigest: string | undefined;

  constructor(private readonly file: string) {}

  /** SHA-256 of the whole file as the first read read it (hex): what a journal names the input by. */
  get digest(): string {
    if (this.fileDigest === undefined) throw new Error(`${this.file} has not been read whole yet`);
    return this.fileDigest;
  }

  /** The stream one read of the file passes its bytes through. */
  read(): Transform {
    const recording = this.digests === undefined;
    const digests: string[] = this.digests ?? [];
    const whole = recording ? createHash("sha256") : undefined;
    const changed = (offset: number) =>
      new InputChangedError(
        `${this.file} changed after it was checked (its bytes from offset ${offset} on are not those checked): ` +
          "no device was sent from there on; the journal records the chunks sent before. " +
          "Run the command again to check and send the file as it is now.",
      );
    let index = 0;
    let offset = 0;
    return new Transform({
      transform(block: Buffer, _encoding, callback) {
        const digest = createHash("sha256").update(block).digest("base64");
        if (recording) {
          digests.push(digest);
          whole!.update(block);
        } else if (digests[index] !== digest) return callback(changed(offset));
        index += 1;
        offset += block.length;
        callback(null, block);
      },
      flush: (callback) => {
        if (recording) {
          this.digests = digests;
          this.fileDigest = whole!.digest("hex");
        }
        callback(!recording && index !== digests.length ? changed(offset) : null);
      },
    });
  }
}
