/** Names that identify the TranscodeJob resource. Everything that talks to the apiserver uses these. */
export const GROUP = "media.transcoder.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "TranscodeJob";
export const LIST_KIND = "TranscodeJobList";
export const PLURAL = "transcodejobs";
export const SINGULAR = "transcodejob";
export const SHORT_NAMES = ["tj"] as const;
/** `kubectl get transcoder` lists every resource in this category. */
export const CATEGORIES = ["transcoder"] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Held on every TranscodeJob the operator has seen, so deleting one first stops its task and frees its slot. */
export const FINALIZER = "media.transcoder.dev/cleanup";
/** Label with the owning user's id: lets the API list a user's jobs with a label selector. */
export const OWNER_LABEL = "media.transcoder.dev/owner";
/** Annotation with the uploaded file's name (the source key's last segment), shown by `kubectl get tj` as FILE. */
export const FILENAME_ANNOTATION = "media.transcoder.dev/filename";

/** Upper bound on explicit renditions: keeps the single ffmpeg pass (and CEL cost) bounded. */
export const MAX_RENDITIONS = 8;
export const MIN_HEIGHT = 144;
export const MAX_HEIGHT = 4320;
/** Object names become S3 prefixes and label values, so they must fit in a DNS label. */
export const MAX_NAME_LENGTH = 63;
