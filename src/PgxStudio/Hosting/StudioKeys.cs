namespace PgxStudio.Hosting;

/// <summary>
/// The data-protection keys behind browser circuits and form tokens, kept under saves/keys so they survive a restart.
/// They are protected by the folder's permissions (this user only), not encrypted: on a Linux desktop anything that
/// could decrypt them (a certificate, a password) would lie on the same disk beside them.
/// </summary>
public static class StudioKeys
{
    const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Folder(string saves) => Path.Combine(saves, "keys");

    /// <summary>Creates the folder (or closes an existing one) to everyone but this user, key files included.</summary>
    public static string Prepare(string saves)
    {
        var folder = Folder(saves);
        Directory.CreateDirectory(folder, OwnerOnlyFolder);
        try
        {
            File.SetUnixFileMode(folder, OwnerOnlyFolder);
            foreach (var key in Directory.EnumerateFiles(folder)) File.SetUnixFileMode(key, OwnerOnlyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file system without Unix modes (a FAT or NTFS drive): the keys still work, as readable as the drive.
        }
        return folder;
    }

    /// <summary>The one start-up line that says how the keys are kept and why.</summary>
    public static string Explanation(string folder) =>
        $"Browser-session keys are kept in {folder}, which only this user can open; they are not encrypted at rest because anything that could decrypt them would sit on the same disk.";
}
