// MediaIO: PNG, JPEG, WAV and video files with Easel provenance.
import CMediaShims
