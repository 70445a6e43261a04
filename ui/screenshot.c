/* Screenshots: what the output shows now, saved as PNG with libpng (SDL2
 * can only write BMP). Used by the tests and by staff support. */
#include "ui_internal.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The part that libpng may leave by longjmp: it changes no local that is
 * read after the jump. */
static int encode(png_structp png, png_infop info, FILE *file, const unsigned char *rgb, int w,
                  int h, int pitch)
{
    if (setjmp(png_jmpbuf(png)))
        return -EIO;
    png_init_io(png, file);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 3);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, rgb + (size_t)y * (size_t)pitch);
    png_write_end(png, NULL);
    return 0;
}

static int write_png(const char *path, const unsigned char *rgb, int w, int h, int pitch, char *err,
                     size_t errlen)
{
    int rc = 0;
    png_structp png = NULL;
    png_infop info = NULL;
    FILE *file = fopen(path, "wb");
    if (!file) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    rc = encode(png, info, file, rgb, w, h, pitch);
    if (rc < 0)
        snprintf(err, errlen, "%s: libpng failed to write", path);
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    if (file && fclose(file) != 0 && rc == 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    }
    return rc;
}

int ui_capture(struct ui *ui, unsigned char *rgb, char *err, size_t errlen)
{
    /* Read before presenting: after a present the back buffer's content is
     * undefined on GL renderers. */
    ui_frame_paint(ui);
    int rc = 0;
    if (SDL_RenderReadPixels(ui->renderer, NULL, SDL_PIXELFORMAT_RGB24, rgb, ui->out_w * 3) < 0) {
        rc = -EIO;
        snprintf(err, errlen, "cannot read the screen: %s", SDL_GetError());
    }
    ui_frame_present(ui);
    return rc;
}

int ui_screenshot(struct ui *ui, const char *path, char *err, size_t errlen)
{
    int pitch = ui->out_w * 3;
    unsigned char *pixels = malloc((size_t)pitch * (size_t)ui->out_h);
    if (!pixels) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = ui_capture(ui, pixels, err, errlen);
    if (rc == 0)
        rc = write_png(path, pixels, ui->out_w, ui->out_h, pitch, err, errlen);
    free(pixels);
    return rc;
}
