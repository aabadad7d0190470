import { S3ServiceException } from "@aws-sdk/client-s3";
import { HttpError } from "../../lib/errors/index.js";
import { currentUser } from "../auth/current-user.js";
import { WRITE } from "../auth/scopes.js";
import type { ApiConfig } from "../config.js";
import type { ApiDeps } from "../deps.js";
import { problemResponses } from "../http/responses.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import { isOwnedUploadKey, MULTIPART_LIFETIME_HOURS, newUploadKey } from "../../lib/uploads/index.js";
import { partLength, planParts, type MultipartPlan, type MultipartPlans } from "./plans.js";
import {
  MultipartAbortBody,
  MultipartCompleteBody,
  MultipartCompleteView,
  MultipartCreateBody,
  MultipartPartsBody,
  MultipartPartsView,
  MultipartView,
  PresignedPostBody,
  PresignedPostView,
} from "./schemas.js";
import { isNotFound } from "./storage.js";

function notYours(): HttpError {
  return new HttpError(404, "no such upload", { field: "body.key" });
}

function noSuchUpload(): HttpError {
  return new HttpError(404, "no such upload (unknown, completed, aborted or expired)", { field: "body.uploadId" });
}

/** The plan the upload was started with; only the caller's own key and upload id together find it. */
async function planOf(plans: MultipartPlans, user: { id: string }, prefix: string, body: { key: string; uploadId: string }): Promise<MultipartPlan> {
  if (!isOwnedUploadKey(prefix, user.id, body.key)) throw notYours();
  const plan = await plans.get(body.uploadId);
  if (!plan || plan.key !== body.key) throw noSuchUpload();
  return plan;
}

/** S3 rejections a client caused, reworded; anything else stays a 500 with its text kept out of the response. */
function mapS3(err: unknown): never {
  if (isNotFound(err)) throw noSuchUpload();
  if (err instanceof S3ServiceException) {
    if (["InvalidPart", "InvalidPartOrder"].includes(err.name)) {
      throw new HttpError(400, "the parts list does not match the uploaded parts (numbers ascending, ETags as S3 returned them)", { field: "body.parts" });
    }
    if (err.name === "EntityTooSmall") throw new HttpError(400, "every part but the last must be at least 5 MiB", { field: "body.parts" });
  }
  throw err;
}

/** What the upload routes use: the upload store and the upload settings. */
export type UploadRouteDeps = Pick<ApiDeps, "storage" | "multipartPlans"> & { config: Pick<ApiConfig, "uploads"> };

export function uploadRoutes(deps: UploadRouteDeps): AnyRoute[] {
  const { uploads } = deps.config;
  const plans = deps.multipartPlans;
  const expiresAt = () => new Date(Date.now() + uploads.urlTtlSeconds * 1000).toISOString();
  return [
    defineRoute({
      method: "post",
      path: "/uploads/presigned-post",
      operationId: "createPresignedPost",
      summary: "A presigned S3 POST form for one video or audio upload under the caller's prefix",
      tags: ["uploads"],
      auth: WRITE,
      body: PresignedPostBody,
      responses: { 201: { description: "Form to POST to S3", schema: PresignedPostView }, ...problemResponses(400, 401, 403, 413, 415, 429) },
      handler: async (ctx, { body }) => {
        const user = currentUser(ctx);
        const { key, uploadId } = newUploadKey(uploads.prefix, user.id, body.filename);
        const post = await deps.storage.presignPost(key, body.contentType, uploads.maxBytes, uploads.urlTtlSeconds);
        ctx.status = 201;
        ctx.body = { key, uploadId, url: post.url, fields: post.fields, maxBytes: uploads.maxBytes, expiresAt: expiresAt() };
      },
    }),
    defineRoute({
      method: "post",
      path: "/uploads/multipart",
      operationId: "createMultipartUpload",
      summary: "Start an S3 multipart upload for a large video or audio file",
      tags: ["uploads"],
      auth: WRITE,
      body: MultipartCreateBody,
      responses: { 201: { description: "Multipart upload started", schema: MultipartView }, ...problemResponses(400, 401, 403, 413, 415, 429) },
      handler: async (ctx, { body }) => {
        const user = currentUser(ctx);
        if (body.size > uploads.maxBytes) {
          throw new HttpError(413, `the file is larger than the ${uploads.maxBytes}-byte limit`, { field: "body.size" });
        }
        const { key } = newUploadKey(uploads.prefix, user.id, body.filename);
        const uploadId = await deps.storage.createMultipart(key, body.contentType);
        const plan = { key, size: body.size, ...planParts(body.size) };
        try {
          // As long as the storage keeps an incomplete upload, and no longer.
          await plans.save(uploadId, plan, MULTIPART_LIFETIME_HOURS * 3600);
        } catch (err) {
          await deps.storage.abortMultipart(key, uploadId).catch(() => undefined);
          throw err;
        }
        ctx.status = 201;
        ctx.body = { key, uploadId, partSize: plan.partSize, partCount: plan.partCount };
      },
    }),
    defineRoute({
      method: "post",
      path: "/uploads/multipart/parts",
      operationId: "presignMultipartParts",
      summary: "Presigned PUT URLs for parts of a multipart upload",
      tags: ["uploads"],
      auth: WRITE,
      body: MultipartPartsBody,
      responses: { 200: { description: "One URL per part", schema: MultipartPartsView }, ...problemResponses(400, 401, 403, 404, 413, 415, 429) },
      handler: async (ctx, { body }) => {
        const plan = await planOf(plans, currentUser(ctx), uploads.prefix, body);
        const beyond = body.partNumbers.find((n) => n > plan.partCount);
        if (beyond !== undefined) {
          throw new HttpError(400, `part ${beyond} is beyond this upload's ${plan.partCount} parts (planned for ${plan.size} bytes)`, { field: "body.partNumbers" });
        }
        const parts = await Promise.all(
          [...new Set(body.partNumbers)].map(async (partNumber) => ({
            partNumber,
            size: partLength(plan, partNumber),
            url: await deps.storage.presignPart(body.key, body.uploadId, partNumber, partLength(plan, partNumber), uploads.urlTtlSeconds),
          })),
        );
        ctx.body = { parts, expiresAt: expiresAt() };
      },
    }),
    defineRoute({
      method: "post",
      path: "/uploads/multipart/complete",
      operationId: "completeMultipartUpload",
      summary: "Complete a multipart upload",
      tags: ["uploads"],
      auth: WRITE,
      body: MultipartCompleteBody,
      responses: {
        200: { description: "The object exists", schema: MultipartCompleteView },
        ...problemResponses(400, 401, 403, 404, 413, 415, 429),
      },
      handler: async (ctx, { body }) => {
        const plan = await planOf(plans, currentUser(ctx), uploads.prefix, body);
        const numbers = body.parts.map((p) => p.partNumber);
        if (numbers.length !== plan.partCount || numbers.some((n, i) => n !== i + 1)) {
          throw new HttpError(400, `list the upload's ${plan.partCount} parts, numbered 1 to ${plan.partCount} in order`, { field: "body.parts" });
        }
        await deps.storage.completeMultipart(body.key, body.uploadId, body.parts).catch(mapS3);
        await plans.delete(body.uploadId);
        const info = await deps.storage.head(body.key);
        if (!info) throw notYours();
        // Every part was signed for its exact length, so this cannot differ; if it ever does, the object is not
        // the upload that was declared (and sized against the limit), and it must not become a job.
        if (info.size !== plan.size) {
          await deps.storage.deleteObject(body.key);
          throw new HttpError(413, `the object is ${info.size} bytes, not the ${plan.size} declared, and was deleted`, { field: "body.parts" });
        }
        ctx.body = { key: body.key, size: info.size };
      },
    }),
    defineRoute({
      method: "post",
      path: "/uploads/multipart/abort",
      operationId: "abortMultipartUpload",
      summary: "Abort a multipart upload and discard its parts",
      tags: ["uploads"],
      auth: WRITE,
      body: MultipartAbortBody,
      responses: { 204: { description: "Aborted" }, ...problemResponses(400, 401, 403, 404, 415, 429) },
      handler: async (ctx, { body }) => {
        await planOf(plans, currentUser(ctx), uploads.prefix, body);
        await deps.storage.abortMultipart(body.key, body.uploadId).catch(mapS3);
        await plans.delete(body.uploadId);
        ctx.status = 204;
      },
    }),
  ];
}
