/**
 * The phone camera as a scanner. @zxing/browser is loaded with import() only when this view
 * opens (it is not in any bundle before), the same code is counted once while it stays in view,
 * and the camera is released when the view closes or the page is left.
 */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { RepeatFilter } from "./repeatFilter.js";

export function CameraView({ onCode }: { onCode: (code: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(onCode);
  const [status, setStatus] = useState<"starting" | "running" | "failed">("starting");
  useEffect(() => {
    latest.current = onCode;
  });

  useEffect(() => {
    let stop: (() => void) | undefined;
    let closed = false;
    const filter = new RepeatFilter(1500);
    void (async () => {
      const { BrowserMultiFormatReader } = await import("@zxing/browser");
      if (closed || !video.current) return;
      const reader = new BrowserMultiFormatReader();
      const controls = await reader.decodeFromConstraints(
        { video: { facingMode: { ideal: "environment" } }, audio: false },
        video.current,
        (result) => {
          const text = result?.getText();
          if (text && filter.accept(text, performance.now())) latest.current(text);
        },
      );
      if (closed) controls.stop();
      else {
        stop = () => controls.stop();
        setStatus("running");
      }
    })().catch(() => {
      if (!closed) setStatus("failed");
    });
    return () => {
      closed = true;
      stop?.();
    };
  }, []);

  return (
    <div className="flex flex-col gap-2">
      {/* The stream has no sound; the video is a viewfinder only. */}
      <video ref={video} className={`scan-video ${status === "failed" ? "hidden" : ""}`} muted playsInline aria-label={t("scanning.camera.viewfinder")} />
      <p className="text-sm text-muted" aria-live="polite">
        {status === "starting" && t("scanning.camera.starting")}
        {status === "running" && t("scanning.camera.running")}
        {status === "failed" && <span className="text-danger">{t("scanning.camera.failed")}</span>}
      </p>
    </div>
  );
}
