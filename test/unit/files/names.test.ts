// The name a stored file is shown and saved under (src/files/names.ts) and its sniffed type
// (src/files/sniff.ts): the sender's name and Content-Type are never trusted.
import { describe, expect, test } from "bun:test";
import { MAX_NAME_CHARS, safeName } from "../../../src/files/names.ts";
import { shownInline, sniffType } from "../../../src/files/sniff.ts";
import { PNG_1X1 } from "../../helpers/file-store.ts";

describe("a sender's file name is made safe", () => {
  test("no path: ../ and backslashes leave the last segment only", () => {
    expect(safeName("../../etc/passwd", "txt")).toBe("passwd.txt");
    expect(safeName("..\\..\\boot.ini", "txt")).toBe("boot.ini");
    expect(safeName("..", undefined)).toBe("file.bin");
  });

  test("NUL, line breaks and bidi controls are dropped (RTL override cannot disguise an extension)", () => {
    expect(safeName("a\u0000b\r\nc.png", "png")).toBe("abc.png");
    expect(safeName("invoice\u202egnp.exe", "png")).toBe("invoicegnp.png");
    expect(safeName("\u2066x\u2069\u200f.txt", "txt")).toBe("x.txt");
  });

  test("a 300-character name is cut to 120 characters, its extension kept", () => {
    const name = safeName(`${"ü".repeat(300)}.png`, "png");
    expect([...name].length).toBe(MAX_NAME_CHARS);
    expect(name.endsWith("ü.png")).toBe(true);
  });

  test("the extension is the sniffed type's: a PNG named .exe is .png", () => {
    expect(safeName("setup.exe", "png")).toBe("setup.png");
    expect(safeName("photo.JPEG", "jpg")).toBe("photo.JPEG");
    expect(safeName(undefined, "png")).toBe("file.png");
  });

  test("a file of no known type is .bin whatever its name said: invoice.html with a binary byte is invoice.bin", () => {
    expect(safeName("invoice.html", undefined)).toBe("invoice.bin");
    expect(safeName("image.svg", undefined)).toBe("image.bin");
    expect(safeName("firmware.BIN", undefined)).toBe("firmware.BIN");
    expect(safeName(undefined, undefined)).toBe("file.bin");
  });

  test("text keeps its usual extensions, any other becomes .txt (an HTML upload is page.txt)", () => {
    expect(safeName("build.log", "txt")).toBe("build.log");
    expect(safeName("page.html", "txt")).toBe("page.txt");
  });

  test("characters file systems refuse or headers quote become _; hidden-file dots go", () => {
    expect(safeName('a<b>:"c|d?*%.txt', "txt")).toBe("a_b___c_d___.txt");
    expect(safeName(".bashrc", "txt")).toBe("bashrc.txt");
  });
});

describe("the type comes from the bytes", () => {
  test("a PNG is image/png whatever it is called", async () => {
    expect(await sniffType(PNG_1X1)).toEqual({ type: "image/png", ext: "png" });
  });

  test("UTF-8 text is text/plain, HTML included; binary without a signature is octet-stream", async () => {
    expect((await sniffType(new TextEncoder().encode("<html><script>alert(1)</script>"))).type).toBe("text/plain; charset=utf-8");
    expect((await sniffType(Uint8Array.from([0, 1, 2, 3, 255]))).type).toBe("application/octet-stream");
  });

  test("inline only for images (not SVG), audio, video and PDF", () => {
    expect(["image/png", "audio/ogg", "video/mp4", "application/pdf"].every(shownInline)).toBe(true);
    expect(["image/svg+xml", "text/html", "text/plain; charset=utf-8", "application/octet-stream"].some(shownInline)).toBe(false);
  });
});
