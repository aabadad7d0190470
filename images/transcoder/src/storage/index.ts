export { contentHeaders } from "./content-types.js";
export {
  createS3Client,
  downloadSource,
  uploadFiles,
  deleteKeys,
  deleteSource,
  type S3Options,
  type SourceRef,
  type UploadItem,
} from "./s3.js";
export { sha256File } from "./checksum.js";
