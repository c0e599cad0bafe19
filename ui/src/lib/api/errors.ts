import type { ApiError } from "../bindings/ApiError";
import { isApiError } from "./backend";

/** Turns anything thrown into an `ApiError`: a Rust `{kind, message}` passes through. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return { kind: e.kind, message: String(e.message) };
  if (e instanceof Error) return { kind: "io", message: e.message };
  if (typeof e === "string") return { kind: "io", message: e };
  let message: string;
  try {
    message = JSON.stringify(e) ?? String(e);
  } catch {
    message = String(e);
  }
  return { kind: "io", message };
}
