import { z } from "zod";

const email = z
  .email("must be an email address")
  .max(254)
  .transform((e) => e.trim().toLowerCase());

export const SignupBody = z.strictObject({
  email,
  password: z.string().min(12, "must be at least 12 characters").max(256, "must be at most 256 characters"),
});

export const LoginBody = z.strictObject({
  email,
  password: z.string().min(1, "is required").max(256, "must be at most 256 characters"),
});

export const UserView = z.object({ id: z.string(), email: z.string() });

export const SessionView = z.object({
  user: UserView,
  /** Send back in X-CSRF-Token on every write made with the session cookie. */
  csrfToken: z.string(),
});
