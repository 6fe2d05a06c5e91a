// The XEP-0363 upload service a test bed may carry (`httpUpload`): what a test asks for and what
// both servers' configs are rendered from (testbed/prosody-config.ts, testbed/ejabberd-config.ts).

/**
 * An XEP-0363 upload service on the test bed (Prosody's mod_http_file_share, ejabberd's
 * mod_http_upload) at `upload.<host>`, serving PUT and GET on the server's loopback HTTP port and
 * keeping the files in the server's own temp dir.
 */
export interface HttpUploadOptions {
  /** The largest file a slot is granted for (the service's max-file-size); default 1 MiB. */
  maxFileBytes?: number;
  /**
   * Who may get a slot: bare JIDs or domains; default the gateway's component domain.
   * "default": the access option left out, so the server's own default decides.
   */
  allow?: string[] | "default";
}

/** The test bed's upload limit unless told otherwise: small, so that a test can pass it cheaply. */
const DEFAULT_UPLOAD_MAX_BYTES = 1_048_576;

/** HttpUploadOptions with the defaults filled in; `allow` null: the access option left out. */
export interface HttpUploadSettings {
  domain: string;
  maxFileBytes: number;
  allow: string[] | null;
}

/** What both test beds render from `httpUpload`; undefined -> no upload service. */
export function resolveUpload(upload: HttpUploadOptions | undefined, host: string, componentDomain: string): HttpUploadSettings | null {
  if (upload === undefined) return null;
  const allow = upload.allow ?? [componentDomain];
  return {
    domain: `upload.${host}`,
    maxFileBytes: upload.maxFileBytes ?? DEFAULT_UPLOAD_MAX_BYTES,
    allow: allow === "default" ? null : allow,
  };
}
